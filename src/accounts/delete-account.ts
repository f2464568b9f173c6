import { refuseLastAdmin } from '../access/access-admin.js';
import { bumpStamp } from '../claims/bump-stamp.js';
import type { AuthenticatedSession } from '../sessions/authenticate-access-token.js';
import { requireElevation } from '../sessions/elevate-session.js';
import { sessionsEnded } from '../sessions/end-session.js';
import type { AccountContext } from './account-context.js';
import { confirmPassword } from './confirm-password.js';

/**
 * Deletes the caller's account: needs an elevated session and the password again, and is refused for the last
 * administrator (`last_admin`). Every session ends at once (reason `account_deleted`, through the caches and
 * the feed), the user's stamp is bumped (self-contained tokens die too), then the account and everything
 * hanging from it is deleted.
 */
export async function deleteAccount(
  context: AccountContext,
  current: AuthenticatedSession,
  password: string,
): Promise<void> {
  requireElevation(context, current);
  await confirmPassword(context, current.user.uuid, password);
  await refuseLastAdmin(context, current.user.uuid);
  const userUuid = current.user.uuid;
  const ended = await context.store.revokeUserSessions(
    userUuid,
    null,
    'account_deleted',
    context.clock.now(),
  );
  await sessionsEnded(context, ended, 'account_deleted');
  await bumpStamp(context, 'user', userUuid);
  await context.store.deleteUser(userUuid);
  context.access.invalidate(userUuid);
  context.emit({ type: 'account_deleted', userUuid });
}
