import { ADMIN_PERMISSION } from '../access/permission-names.js';
import { bumpStamp } from '../claims/bump-stamp.js';
import type { AuthenticatedSession } from '../sessions/authenticate-access-token.js';
import { requireElevation } from '../sessions/elevate-session.js';
import { sessionsEnded } from '../sessions/end-session.js';
import type { AccountContext } from './account-context.js';
import { confirmPassword } from './confirm-password.js';

/**
 * Deletes the caller's account: needs an elevated session and the password again, and is refused for the last
 * administrator (`last_admin`). The account is disabled first, which is where that refusal happens (checked
 * and done as one step by the store, so two administrators deleting themselves at once cannot both go), and
 * which stops any new sign-in. Every session then ends at once (reason `account_deleted`, through the caches
 * and the feed), the user's stamp is bumped (self-contained tokens die too), and the account and everything
 * hanging from it is deleted.
 */
export async function deleteAccount(
  context: AccountContext,
  current: AuthenticatedSession,
  password: string,
): Promise<void> {
  requireElevation(context, current);
  await confirmPassword(context, current.user.uuid, password);
  const userUuid = current.user.uuid;
  const now = context.clock.now();
  await context.store.setUserDisabledAt(userUuid, now, now, ADMIN_PERMISSION);
  const ended = await context.store.revokeUserSessions(userUuid, null, 'account_deleted', now);
  await sessionsEnded(context, ended, 'account_deleted');
  await bumpStamp(context, 'user', userUuid);
  await context.store.deleteUser(userUuid);
  context.access.invalidate(userUuid);
  context.emit({ type: 'account_deleted', userUuid });
}
