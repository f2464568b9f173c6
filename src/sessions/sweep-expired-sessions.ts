import { setImmediate as nextTurn } from 'node:timers/promises';
import type { SessionContext } from './session-context.js';
import { sessionsEnded } from './end-session.js';

/** Tombstones of ended sessions are kept this long, so returning tokens get a precise answer. */
export const REVOKED_RETENTION_MS = 30 * 86_400_000;

export interface SweepResult {
  readonly expired: number;
  readonly pruned: number;
  /** Audit events past their retention deleted (when Keycard keeps an audit log). */
  readonly auditEventsPruned?: number;
}

/**
 * Moves expired sessions to the tombstones in batches and prunes old tombstones. Reads only through the expiry
 * indexes, so its cost follows the number of expired sessions, not the size of the table. Between batches it
 * yields to the event loop.
 */
export async function sweepExpiredSessions(
  context: SessionContext,
  { batchSize = 1000, maxBatches = 1000 }: { batchSize?: number; maxBatches?: number } = {},
): Promise<SweepResult> {
  const now = context.clock.now();
  let expired = 0;
  for (let batch = 0; batch < maxBatches; batch += 1) {
    const ended = await context.store.sweepExpiredSessions(now, context.lifetimes, batchSize);
    await sessionsEnded(context, ended, 'expired');
    expired += ended.length;
    if (ended.length < batchSize) break;
    // SQLite runs on the event loop: let requests waiting behind this batch in before the next one, so a big
    // sweep stalls the server for one batch at a time rather than for all of them.
    await nextTurn();
  }
  const pruned = await context.store.pruneRevokedSessions(now - REVOKED_RETENTION_MS);
  // Stamps older than any unexpired token can no longer refuse one (the global stamp is kept: one row).
  await context.store.pruneStamps(now - context.stampHorizonMs);
  context.stamps.prune(now - context.stampHorizonMs);
  return { expired, pruned };
}
