import { KeycardError } from '../core/errors.js';
import type { AccountContext } from './account-context.js';
import type { User } from './user.js';

/**
 * Checks the signed-in user's password again (step-up, password and email changes, account deletion), under
 * the same rate limits and lockout as sign-in: a stolen access token cannot be used to guess the password
 * faster than signing in would allow. A wrong password is `invalid_credentials` and counts as a failed sign-in.
 */
export async function confirmPassword(
  context: AccountContext,
  userUuid: string,
  password: string,
): Promise<User> {
  const user = await context.store.findUserByUuid(userUuid);
  if (user === undefined || user.disabledAt !== null) throw new KeycardError('invalid_credentials');
  await context.rateLimiter.beforeSignIn(user.email, context.request?.ip ?? null);
  if (!(await context.passwordHasher.verify(user.passwordHash, password))) {
    context.emit({ type: 'sign_in_failed', userUuid: user.uuid });
    await context.rateLimiter.signInFailed(user.email);
    throw new KeycardError('invalid_credentials');
  }
  await context.rateLimiter.signInSucceeded(user.email);
  return user;
}
