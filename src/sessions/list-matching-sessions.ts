import type { Session } from './session.js';
import type { SessionContext } from './session-context.js';
import { isSessionExpired } from './session-lifetimes.js';
import type { SessionFilter } from './session-store.js';

/** Live sessions matching `filter` (all of them without one), oldest first, at most `limit`: administration. */
export async function listMatchingSessions(
  context: SessionContext,
  filter: SessionFilter,
  limit: number,
): Promise<Session[]> {
  const now = context.clock.now();
  const sessions = await context.store.listSessions(filter, limit);
  // Expired sessions the sweep has not moved out yet are not live: a client would get `session_expired`.
  return sessions.filter((session) => !isSessionExpired(context.lifetimes, session, now));
}
