import type { Clock } from '../core/clock.js';
import type { JwsAlgorithm, VerificationKey } from '../verify/verification-key.js';
import { deriveKeyEncryptionKey, openPrivateKey, sealPrivateKey } from './key-encryption.js';
import { exportPrivateKey, generateSigningKey, importSigningKey, type SigningKey } from './signing-key.js';
import type { SigningKeyStore } from './signing-key-store.js';

/** How often a node reads the keys again, to pick up a rotation made by another node or the CLI (ms). */
export const KEY_RELOAD_INTERVAL_MS = 60_000;
/** An unknown `kid` makes a node read the keys again at most this often (ms). */
const UNKNOWN_KID_RELOAD_MS = 1000;

export interface SigningKeyringOptions {
  readonly store: SigningKeyStore;
  readonly secret: Uint8Array;
  readonly alg: JwsAlgorithm;
  readonly clock: Clock;
  /**
   * How long a retired key keeps verifying (ms): the longest a token lives, plus the clock skew, plus how long
   * another node may go on signing with it before it reloads (`KEY_RELOAD_INTERVAL_MS`).
   */
  readonly retiredKeyGraceMs: number;
  /** A key given in a file (`KEYCARD_JWT_KEY_FILE`): then it is the only key and the store holds none. */
  readonly fileKey?: SigningKey;
}

/**
 * The signing keys every node shares through the store. The newest key still signing (of the configured
 * algorithm) signs; every key not retired longer ago than the grace verifies. A first start (or a change of
 * algorithm) generates a key; `rotate` adds one and retires the others. Private halves are stored sealed under
 * a key derived from `KEYCARD_SECRET`.
 */
export class SigningKeyring {
  readonly #options: SigningKeyringOptions;
  readonly #encryptionKey: Buffer;
  #keys: readonly SigningKey[] = [];
  #byKid = new Map<string, SigningKey>();
  #loadedAt = Number.NEGATIVE_INFINITY;
  #loading: Promise<void> | undefined;
  #lastUnknownKidReload = Number.NEGATIVE_INFINITY;

  constructor(options: SigningKeyringOptions) {
    this.#options = options;
    this.#encryptionKey = deriveKeyEncryptionKey(options.secret);
    if (options.fileKey !== undefined) this.#use([options.fileKey]);
  }

  get algorithm(): JwsAlgorithm {
    return this.#options.alg;
  }

  /** Whether keys come from a file (they are not stored, listed from the store or rotated). */
  get fromFile(): boolean {
    return this.#options.fileKey !== undefined;
  }

  /** Whether the keys have been read at least once (until then nothing can be signed or verified). */
  get loaded(): boolean {
    return this.#keys.length > 0;
  }

  /** Loads the keys (creating the first one) unless they were loaded within the reload interval. */
  ready(): Promise<void> {
    if (this.fromFile) return Promise.resolve();
    if (this.#options.clock.now() - this.#loadedAt < KEY_RELOAD_INTERVAL_MS) return Promise.resolve();
    return this.reload();
  }

  /** Reads the keys from the store now; generates a signing key when none of the configured algorithm signs. */
  reload(): Promise<void> {
    if (this.fromFile) return Promise.resolve();
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  /**
   * After a token named a `kid` this node does not know: reads the keys again (another node may have rotated),
   * at most once a second so unknown `kid`s cannot make a node hammer the store. Resolves whether it did.
   */
  async reloadForUnknownKid(): Promise<boolean> {
    const now = this.#options.clock.now();
    if (this.fromFile || now - this.#lastUnknownKidReload < UNKNOWN_KID_RELOAD_MS) return false;
    this.#lastUnknownKidReload = now;
    await this.reload();
    return true;
  }

  /** The key that signs now. Throws a `TypeError` before the first `ready()`. */
  signer(): SigningKey {
    const signer = this.#keys.find((key) => key.retiredAt === null && key.alg === this.#options.alg);
    if (signer === undefined) throw new TypeError('signing keys are not loaded: await ready() first');
    return signer;
  }

  /** The key of `kid`, if it still verifies. */
  keyFor(kid: string): VerificationKey | undefined {
    const key = this.#byKid.get(kid);
    return key !== undefined && this.stillVerifies(key) ? key : undefined;
  }

  /** Whether `key` still verifies: it signs, or was retired within the grace. */
  stillVerifies(key: SigningKey): boolean {
    return (
      key.retiredAt === null || this.#options.clock.now() - key.retiredAt <= this.#options.retiredKeyGraceMs
    );
  }

  /** Every key in the store (or the file's), retired long ago or not, newest first; creates none. */
  async listKeys(): Promise<readonly SigningKey[]> {
    if (this.fromFile) return this.#keys;
    return sortedNewestFirst(await this.#read());
  }

  /** Every key that still verifies, newest first. */
  verificationKeys(): readonly SigningKey[] {
    return this.#keys.filter((key) => this.keyFor(key.kid) !== undefined);
  }

  /** Adds a new signing key and retires the others (they keep verifying for the grace); returns it. */
  async rotate(): Promise<SigningKey> {
    if (this.fromFile) throw new TypeError('keys come from KEYCARD_JWT_KEY_FILE: replace the file to rotate');
    const now = this.#options.clock.now();
    const key = generateSigningKey(this.#options.alg, now);
    await this.#options.store.addSigningKey(this.#sealed(key), now);
    // Keys retired longer ago than the grace verify nothing any more.
    await this.#options.store.deleteSigningKeysRetiredBefore(now - this.#options.retiredKeyGraceMs);
    await this.reload();
    return key;
  }

  async #load(): Promise<void> {
    const startedAt = this.#options.clock.now();
    let keys = await this.#read();
    if (!keys.some((key) => key.retiredAt === null && key.alg === this.#options.alg)) {
      // First start, or the algorithm changed: a new key signs; any other keeps verifying for the grace. Two
      // nodes starting at once may both add one; both then read both, and the newest signs on every node.
      const key = generateSigningKey(this.#options.alg, startedAt);
      await this.#options.store.addSigningKey(this.#sealed(key), keys.length === 0 ? null : startedAt);
      keys = await this.#read();
    }
    this.#use(keys);
    this.#loadedAt = startedAt;
  }

  async #read(): Promise<SigningKey[]> {
    const stored = await this.#options.store.listSigningKeys();
    return stored.map((row) =>
      importSigningKey(
        { kid: row.kid, alg: row.alg, createdAt: row.createdAt, retiredAt: row.retiredAt },
        openPrivateKey(this.#encryptionKey, row.kid, row.sealedPrivateKey),
      ),
    );
  }

  #use(keys: readonly SigningKey[]): void {
    this.#keys = sortedNewestFirst(keys);
    this.#byKid = new Map(this.#keys.map((key) => [key.kid, key]));
  }

  #sealed(key: SigningKey) {
    return {
      kid: key.kid,
      alg: key.alg,
      sealedPrivateKey: sealPrivateKey(this.#encryptionKey, key.kid, exportPrivateKey(key)),
      createdAt: key.createdAt,
      retiredAt: key.retiredAt,
    };
  }
}

/** Newest first, ties by kid, so every node picks the same signer from the same rows. */
function sortedNewestFirst(keys: readonly SigningKey[]): SigningKey[] {
  return [...keys].sort((a, b) => b.createdAt - a.createdAt || (a.kid < b.kid ? 1 : -1));
}
