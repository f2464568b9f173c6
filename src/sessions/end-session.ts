import type { RevocationReason } from '../core/errors.js';
import type { SessionContext } from './session-context.js';
import type { EndedSession } from './session-store.js';

/** Ends one session for `reason`: its tokens stop working at once. Returns false when it was not live. */
export async function endSession(
  context: SessionContext,
  session: EndedSession,
  reason: RevocationReason,
): Promise<boolean> {
  const ended = await context.store.revokeSession(session.uuid, reason, context.clock.now());
  await context.cache.ended([session.uuid], reason);
  if (ended) {
    context.emit({ type: 'session_ended', userUuid: session.userUuid, sessionUuid: session.uuid, reason });
  }
  return ended;
}

/** Tells the caches and listeners about sessions a bulk operation ended. */
export async function sessionsEnded(
  context: SessionContext,
  sessions: readonly EndedSession[],
  reason: RevocationReason,
): Promise<void> {
  await context.cache.ended(
    sessions.map((session) => session.uuid),
    reason,
  );
  for (const session of sessions) {
    context.emit({ type: 'session_ended', userUuid: session.userUuid, sessionUuid: session.uuid, reason });
  }
}
