import type { AccountContext } from './account-context.js';
import { normalizeEmail } from './email.js';
import { checkPasswordStrength } from './password-policy.js';
import type { Credentials } from './register.js';
import { newUser } from './new-user.js';
import type { AccountVersion } from './legacy-accounts.js';
import { CURRENT_ACCOUNT_VERSION, type User } from './user.js';

/**
 * Creates an account without signing it in (an administrator's `keycard users create`), with the same email
 * normalisation and password policy as registration. Version `003` makes a legacy account, for moving the
 * accounts of a legacy deployment over (they keep signing in to JWTs until upgraded). Throws `invalid_request`, `password_too_weak`, `email_taken`.
 */
export async function createUser(
  context: AccountContext,
  credentials: Credentials,
  accountVersion: AccountVersion = CURRENT_ACCOUNT_VERSION,
): Promise<User> {
  const email = normalizeEmail(credentials.email);
  checkPasswordStrength(credentials.password);
  const user = await newUser(context, email, credentials.password, accountVersion);
  await context.store.createUser(user);
  return user;
}
