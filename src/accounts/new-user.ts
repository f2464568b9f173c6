import { randomUUID } from 'node:crypto';
import type { AccountContext } from './account-context.js';
import { CURRENT_ACCOUNT_VERSION, type User } from './user.js';

/**
 * A new account (of the current version unless told otherwise), its password hashed (argon2id), not yet stored. `email` is already
 * normalised and `password` already passed the password policy.
 */
export async function newUser(
  context: AccountContext,
  email: string,
  password: string,
  version: string = CURRENT_ACCOUNT_VERSION,
): Promise<User> {
  const now = context.clock.now();
  return {
    uuid: randomUUID(),
    email,
    passwordHash: await context.passwordHasher.hash(password),
    version,
    createdAt: now,
    updatedAt: now,
    disabledAt: null,
  };
}
