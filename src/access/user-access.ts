import type { SessionContext } from '../sessions/session-context.js';
import type { CachedAccess } from './access-cache.js';

/**
 * A user's roles and effective permissions: from memory when valid, else read from the store and kept. Read
 * under the stamp current before the read: a bump that lands during the read leaves the entry stale, to be
 * read again next time, never a stale entry taken for fresh.
 */
export async function userAccess(context: SessionContext, userUuid: string): Promise<CachedAccess> {
  const held = context.access.find(userUuid);
  if (held !== undefined) return held;
  return readUserAccess(context, userUuid);
}

/**
 * A user's roles and effective permissions read from the store, whatever memory holds (which may not have heard
 * yet of a change another node made), and kept as `userAccess` keeps them.
 */
export async function readUserAccess(context: SessionContext, userUuid: string): Promise<CachedAccess> {
  const read = {
    validAfter: context.access.validAfterOf(userUuid),
    loadedAt: context.clock.now(),
    epoch: context.access.epoch,
  };
  const access = await context.store.findUserAccess(userUuid);
  return context.access.set(userUuid, access, read);
}
