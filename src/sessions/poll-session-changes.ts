import type { SessionContext } from './session-context.js';

/** Rows read per poll; more changes than this since the last poll and the local cache is simply dropped. */
export const POLL_LIMIT = 5000;

/**
 * Reads the sessions ended or rotated since `since` from the store and drops them from this node's cache: the
 * safety net under the feed (a message lost, a node that could not reach Redis) and the only way several nodes
 * without Redis learn about each other's changes. Returns when the next poll should start from.
 */
export async function pollSessionChanges(context: SessionContext, since: number): Promise<number> {
  const startedAt = context.clock.now();
  const { ended, rotated } = await context.store.listSessionChangesSince(since, POLL_LIMIT);
  if (ended.length >= POLL_LIMIT || rotated.length >= POLL_LIMIT) {
    context.cache.clear();
  } else {
    await context.cache.applyPolledChange({ kind: 'ended', sessionUuids: ended });
    await context.cache.applyPolledChange({ kind: 'rotated', sessionUuids: rotated });
  }
  // Stamps bumped by nodes this one cannot hear (no Redis, or the feed was down): staleness bounded by the poll.
  for (const stamp of await context.store.listStampsSince(since, POLL_LIMIT)) context.stamps.apply(stamp);
  return startedAt;
}
