import type { AccountContext } from '../accounts/account-context.js';
import { confirmPassword } from '../accounts/confirm-password.js';
import { bumpStamp } from '../claims/bump-stamp.js';
import { KeycardError } from '../core/errors.js';
import type { AuthenticatedSession } from './authenticate-access-token.js';
import type { SessionContext } from './session-context.js';

/** Whether `session` is elevated at `now`. */
export function isElevatedAt(session: { readonly elevatedUntil: number | null }, now: number): boolean {
  return session.elevatedUntil !== null && now < session.elevatedUntil;
}

/**
 * Step-up ("permify"): after the password is confirmed, the current session is elevated for the elevation TTL
 * (never past its own expiry). Elevation belongs to the session: a refresh keeps it without extending it, and
 * it ends with the session. Every node drops its cached state of the session (feed, or poll).
 */
export async function elevateSession(
  context: AccountContext,
  current: AuthenticatedSession,
  password: string,
): Promise<number> {
  await confirmPassword(context, current.user.uuid, password);
  const now = context.clock.now();
  const elevatedUntil = Math.min(now + context.elevationTtlMs, current.session.expiresAt);
  await setElevation(context, current, elevatedUntil);
  context.emit({ type: 'session_elevated', userUuid: current.user.uuid, sessionUuid: current.session.uuid });
  return elevatedUntil;
}

/**
 * "Depermify": drops the current session's elevation at once (nothing happens if it had none). Keycard's own
 * checks read the session, so they see it at once. JWT access tokens minted while it was elevated say so (`elv`)
 * to other services, which read only the token: the session's elevation stamp is bumped, so every such token is
 * refused with `claims_stale` (here, and by `keycard/verify` as soon as its feed carries the stamp) and its
 * holder's refresh gets one without `elv`. The session's other tokens are untouched.
 */
export async function dropElevation(context: SessionContext, current: AuthenticatedSession): Promise<void> {
  if (current.session.elevatedUntil === null) return;
  await setElevation(context, current, null);
  // Whatever the token format now: JWTs minted before a switch to opaque ones live on at other services.
  await bumpStamp(context, 'elevation', current.session.uuid);
  context.emit({ type: 'elevation_dropped', userUuid: current.user.uuid, sessionUuid: current.session.uuid });
}

async function setElevation(
  context: SessionContext,
  current: AuthenticatedSession,
  elevatedUntil: number | null,
): Promise<void> {
  const now = context.clock.now();
  if (!(await context.store.setSessionElevation(current.session.uuid, elevatedUntil, now))) {
    throw new KeycardError('token_invalid'); // ended meanwhile
  }
  await context.cache.rotated({ session: { ...current.session, elevatedUntil }, user: current.user });
}

/** Throws `elevation_required` unless the caller's session is elevated now. */
export function requireElevation(context: SessionContext, current: AuthenticatedSession): void {
  if (!isElevatedAt(current.session, context.clock.now())) throw new KeycardError('elevation_required');
}
