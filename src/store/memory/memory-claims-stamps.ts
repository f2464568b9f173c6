import type { ClaimsStamp, ClaimsStampStore } from '../../claims/claims-stamp.js';

/** Claims stamps in process memory, for the memory store. */
export function createMemoryClaimsStamps(checkOpen: () => void): ClaimsStampStore {
  const stamps = new Map<string, ClaimsStamp>();
  const keyOf = (stamp: Pick<ClaimsStamp, 'scope' | 'subject'>) => `${stamp.scope}\n${stamp.subject}`;
  /* eslint-disable @typescript-eslint/require-await -- async like a real store's */
  return {
    async bumpStamp(stamp) {
      checkOpen();
      const held = stamps.get(keyOf(stamp));
      if (held === undefined || held.validAfter < stamp.validAfter) stamps.set(keyOf(stamp), { ...stamp });
    },
    async listStampsSince(since, limit) {
      checkOpen();
      return [...stamps.values()]
        .filter((stamp) => stamp.validAfter >= since)
        .sort((a, b) => a.validAfter - b.validAfter)
        .slice(0, limit);
    },
    async pruneStamps(before) {
      checkOpen();
      let pruned = 0;
      for (const [key, stamp] of stamps) {
        if (stamp.scope !== 'global' && stamp.validAfter < before) {
          stamps.delete(key);
          pruned += 1;
        }
      }
      return pruned;
    },
  };
  /* eslint-enable @typescript-eslint/require-await */
}
