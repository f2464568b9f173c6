import type { AuthenticatedSession } from './authenticate-access-token.js';
import type { Session } from './session.js';
import type { SessionContext } from './session-context.js';
import { isSessionExpired } from './session-lifetimes.js';

/** The caller's live sessions, most recently active first. */
export async function listOwnSessions(
  context: SessionContext,
  current: AuthenticatedSession,
): Promise<Session[]> {
  const now = context.clock.now();
  const sessions = await context.store.listUserSessions(current.user.uuid);
  return sessions
    .filter((session) => !isSessionExpired(context.lifetimes, session, now))
    .sort((a, b) => b.updatedAt - a.updatedAt);
}
