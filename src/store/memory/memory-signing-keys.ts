import type { SigningKeyStore, StoredSigningKey } from '../../tokens/signing-key-store.js';

/** The memory store's signing keys: a map by kid. */
export function createMemorySigningKeys(checkOpen: () => void): SigningKeyStore {
  const keys = new Map<string, StoredSigningKey>();
  /* eslint-disable @typescript-eslint/require-await -- async like a real store's, for the same interleavings */
  return {
    async listSigningKeys() {
      checkOpen();
      return [...keys.values()];
    },
    async addSigningKey(key, retireOthersAt) {
      checkOpen();
      if (retireOthersAt !== null) {
        for (const [kid, other] of keys) {
          if (other.retiredAt === null) keys.set(kid, { ...other, retiredAt: retireOthersAt });
        }
      }
      keys.set(key.kid, key);
    },
    async deleteSigningKeysRetiredBefore(before) {
      checkOpen();
      let deleted = 0;
      for (const [kid, key] of keys) {
        if (key.retiredAt !== null && key.retiredAt < before) {
          keys.delete(kid);
          deleted += 1;
        }
      }
      return deleted;
    },
  };
}
