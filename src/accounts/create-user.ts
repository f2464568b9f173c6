import type { AccountContext } from './account-context.js';
import { normalizeEmail } from './email.js';
import { checkPasswordStrength } from './password-policy.js';
import type { Credentials } from './register.js';
import { newUser } from './new-user.js';
import type { User } from './user.js';

/**
 * Creates an account without signing it in (an administrator's `keycard users create`), with the same email
 * normalisation and password policy as registration. Throws `invalid_request`, `password_too_weak`, `email_taken`.
 */
export async function createUser(context: AccountContext, credentials: Credentials): Promise<User> {
  const email = normalizeEmail(credentials.email);
  checkPasswordStrength(credentials.password);
  const user = await newUser(context, email, credentials.password);
  await context.store.createUser(user);
  return user;
}
