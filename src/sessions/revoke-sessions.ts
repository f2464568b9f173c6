import { bumpStamp } from '../claims/bump-stamp.js';
import { KeycardError } from '../core/errors.js';
import type { AuthenticatedSession } from './authenticate-access-token.js';
import type { CachedSession } from './session-cache.js';
import type { SessionContext } from './session-context.js';
import { endSession, sessionsEnded } from './end-session.js';

/** Sign-out: ends the caller's own session, a user's or an anonymous one. */
export async function signOut(context: SessionContext, current: CachedSession): Promise<void> {
  await endSession(context, current.session, 'sign_out');
}

/** Revokes another session of the caller's. The current one is refused: signing out is the way to end it. */
export async function revokeOwnSession(
  context: SessionContext,
  current: AuthenticatedSession,
  targetUuid: string,
): Promise<void> {
  if (targetUuid === current.session.uuid) throw new KeycardError('cannot_revoke_current');
  const target = await context.store.findSession(targetUuid);
  // Another user's session is "not found" too: its existence is none of the caller's business.
  if (target?.userUuid !== current.user.uuid) throw new KeycardError('session_not_found');
  if (!(await endSession(context, target, 'revoked'))) throw new KeycardError('session_not_found');
}

/** Revokes every session of the caller's except the current one; returns how many. */
export async function revokeOtherSessions(
  context: SessionContext,
  current: AuthenticatedSession,
): Promise<number> {
  const revoked = await context.store.revokeUserSessions(
    current.user.uuid,
    current.session.uuid,
    'revoked_others',
    context.clock.now(),
  );
  await sessionsEnded(context, revoked, 'revoked_others');
  return revoked.length;
}

/**
 * Sign-out everywhere: ends every session of the caller's, this one included (reason `sign_out`), and bumps
 * the user's stamp so self-contained tokens die at once too. Returns how many sessions ended.
 */
export async function signOutEverywhere(
  context: SessionContext,
  current: AuthenticatedSession,
): Promise<number> {
  const ended = await context.store.revokeUserSessions(
    current.user.uuid,
    null,
    'sign_out',
    context.clock.now(),
  );
  await sessionsEnded(context, ended, 'sign_out');
  await bumpStamp(context, 'user', current.user.uuid);
  return ended.length;
}
