import type { SessionContext } from '../sessions/session-context.js';
import { sessionsEnded } from '../sessions/end-session.js';
import { bumpStamp } from '../claims/bump-stamp.js';
import { ADMIN_PERMISSION } from '../access/permission-names.js';
import type { User } from './user.js';

export interface DisabledUser {
  readonly user: User;
  /** How many live sessions were revoked (reason `user_disabled`). */
  readonly sessionsRevoked: number;
}

/**
 * Disables an account: it can no longer sign in (sign-in answers `invalid_credentials`, as for a wrong password)
 * and every session it has is revoked at once, through the same path as any revocation (caches, change feed,
 * events). The account is marked first, so no sign-in that starts after this can add a session. Disabling a
 * disabled account keeps its first `disabledAt` and revokes anything left. Undefined when there is no such user.
 * Disabling the last enabled administrator is refused (`last_admin`), by the store, as one step with the change.
 */
export async function disableUser(
  context: SessionContext,
  userUuid: string,
): Promise<DisabledUser | undefined> {
  const existing = await context.store.findUserByUuid(userUuid);
  if (existing === undefined) return undefined;
  const now = context.clock.now();
  const user = await context.store.setUserDisabledAt(
    userUuid,
    existing.disabledAt ?? now,
    now,
    ADMIN_PERMISSION,
  );
  if (user === undefined) return undefined;
  if (existing.disabledAt === null) context.emit({ type: 'user_disabled', userUuid });
  const revoked = await context.store.revokeUserSessions(userUuid, null, 'user_disabled', now);
  await sessionsEnded(context, revoked, 'user_disabled');
  // Self-contained tokens (JWTs) that do not look their session up are refused at once too.
  await bumpStamp(context, 'user', userUuid);
  return { user, sessionsRevoked: revoked.length };
}
