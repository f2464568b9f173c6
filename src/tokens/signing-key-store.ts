import type { JwsAlgorithm } from '../verify/verification-key.js';

/** A signing key as stored: its private half sealed under a key derived from the server secret. */
export interface StoredSigningKey {
  readonly kid: string;
  readonly alg: JwsAlgorithm;
  /** AES-256-GCM of the PKCS#8 key (or HS256 secret); see `sealPrivateKey`. */
  readonly sealedPrivateKey: string;
  readonly createdAt: number;
  readonly retiredAt: number | null;
}

/** Where every node finds the signing keys, so all nodes sign and verify with the same ones. */
export interface SigningKeyStore {
  listSigningKeys(): Promise<StoredSigningKey[]>;
  /** Adds a key; with `retireOthersAt`, every other key still signing is retired at that time, in one step. */
  addSigningKey(key: StoredSigningKey, retireOthersAt: number | null): Promise<void>;
  /** Deletes keys retired before `before` (they verify nothing any more); returns how many. */
  deleteSigningKeysRetiredBefore(before: number): Promise<number>;
}
