import type { RevocationReason } from '../core/errors.js';
import { sessionsEnded } from './end-session.js';
import type { SessionContext } from './session-context.js';
import type { SessionFilter } from './session-store.js';

/** Sessions revoked per store call: one transaction each, so a large revocation never holds one lock long. */
export const REVOKE_BATCH_SIZE = 500;
/** Enough for 50 million sessions; a bound so sessions created as fast as they are revoked cannot loop forever. */
const MAX_BATCHES = 100_000;

/**
 * Revokes every live session matching `filter` (every session with an empty filter), batch by batch, each batch
 * told to the caches, the change feed and listeners like any revocation. Returns how many were revoked.
 */
export async function revokeMatchingSessions(
  context: SessionContext,
  filter: SessionFilter,
  reason: RevocationReason,
): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch += 1) {
    const revoked = await context.store.revokeSessions(
      filter,
      reason,
      context.clock.now(),
      REVOKE_BATCH_SIZE,
    );
    await sessionsEnded(context, revoked, reason);
    total += revoked.length;
    if (revoked.length < REVOKE_BATCH_SIZE) break;
  }
  return total;
}
