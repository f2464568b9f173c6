import { type VerificationKey, verificationKeyFromJwk } from './verification-key.js';

export interface JwksCacheOptions {
  readonly jwksUrl: string;
  /** An unknown `kid` fetches the key set again at most this often (ms); default 30 000. */
  readonly minRefetchIntervalMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

/**
 * Keycard's public keys, fetched from its JWKS and kept. A token naming a `kid` not in the set fetches it again
 * (Keycard rotated), at most once per `minRefetchIntervalMs`, so forged `kid`s cannot make a service hammer
 * Keycard. Entries that are not usable public signing keys are skipped, never trusted.
 */
export class JwksCache {
  readonly #options: JwksCacheOptions;
  #keys = new Map<string, VerificationKey>();
  #lastFetchAt = Number.NEGATIVE_INFINITY;
  #fetching: Promise<void> | undefined;
  #fetches = 0;

  constructor(options: JwksCacheOptions) {
    this.#options = options;
  }

  /** How many times the key set was fetched (for tests and metrics). */
  get fetchCount(): number {
    return this.#fetches;
  }

  keyFor(kid: string): VerificationKey | undefined {
    return this.#keys.get(kid);
  }

  /** Fetches the key set now (throws when Keycard does not answer with one). */
  refresh(): Promise<void> {
    this.#fetching ??= this.#fetch().finally(() => {
      this.#fetching = undefined;
    });
    return this.#fetching;
  }

  /** After an unknown `kid`: fetches again unless it did within the interval. Resolves whether it fetched. */
  async refreshForUnknownKid(): Promise<boolean> {
    const now = (this.#options.now ?? Date.now)();
    if (now - this.#lastFetchAt < (this.#options.minRefetchIntervalMs ?? 30_000)) return false;
    await this.refresh();
    return true;
  }

  async #fetch(): Promise<void> {
    this.#lastFetchAt = (this.#options.now ?? Date.now)();
    this.#fetches += 1;
    const response = await (this.#options.fetch ?? fetch)(this.#options.jwksUrl, {
      headers: { accept: 'application/json' },
    });
    if (!response.ok) throw new Error(`JWKS ${this.#options.jwksUrl} answered ${response.status}`);
    const body = (await response.json()) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new Error(`JWKS ${this.#options.jwksUrl} has no keys array`);
    const keys = new Map<string, VerificationKey>();
    for (const entry of body.keys as unknown[]) {
      if (typeof entry !== 'object' || entry === null) continue;
      try {
        const key = verificationKeyFromJwk(entry);
        keys.set(key.kid, key);
      } catch {
        // Not a key this verifier would ever accept a token from: left out.
      }
    }
    this.#keys = keys;
  }
}
