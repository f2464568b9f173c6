import type { AccountContext } from './account-context.js';
import { normalizeEmail } from './email.js';
import { checkPasswordStrength } from './password-policy.js';
import type { Credentials } from './register.js';
import { CURRENT_ACCOUNT_VERSION, type User } from './user.js';
import { randomUUID } from 'node:crypto';

/**
 * Creates an account without signing it in (an administrator's `keycard users create`), with the same email
 * normalisation and password policy as registration. Throws `invalid_request`, `password_too_weak`, `email_taken`.
 */
export async function createUser(context: AccountContext, credentials: Credentials): Promise<User> {
  const email = normalizeEmail(credentials.email);
  checkPasswordStrength(credentials.password);
  const now = context.clock.now();
  const user: User = {
    uuid: randomUUID(),
    email,
    passwordHash: await context.passwordHasher.hash(credentials.password),
    version: CURRENT_ACCOUNT_VERSION,
    createdAt: now,
    updatedAt: now,
    disabledAt: null,
  };
  await context.store.createUser(user);
  return user;
}
