import type { AccountContext } from './account-context.js';
import { isLegacyAccountVersion } from './legacy-accounts.js';
import { CURRENT_ACCOUNT_VERSION, type User } from './user.js';

/**
 * Sets a legacy account's version to the current one, so its legacy JWTs get `session_required` and it signs in
 * to sessions from now on; other accounts are returned as they are.
 */
export async function upgradeAccount(context: AccountContext, user: User): Promise<User> {
  if (!isLegacyAccountVersion(user.version)) return user;
  const upgraded = await context.store.setUserVersion(
    user.uuid,
    CURRENT_ACCOUNT_VERSION,
    context.clock.now(),
  );
  return upgraded ?? user;
}
