import { bumpStamp } from '../claims/bump-stamp.js';
import { KeycardError } from '../core/errors.js';
import type { AuthenticatedSession } from '../sessions/authenticate-access-token.js';
import { requireElevation } from '../sessions/elevate-session.js';
import type { AccountContext } from './account-context.js';
import { confirmPassword } from './confirm-password.js';
import { normalizeEmail } from './email.js';

/**
 * Changes the caller's email: a sensitive action, so it needs an elevated session and the password again.
 * Throws `email_taken`. The user's stamp is bumped: tokens issued before carry the old email in their claims.
 */
export async function changeEmail(
  context: AccountContext,
  current: AuthenticatedSession,
  change: { email: string; password: string },
): Promise<string> {
  requireElevation(context, current);
  const email = normalizeEmail(change.email);
  await confirmPassword(context, current.user.uuid, change.password);
  if (!(await context.store.setUserEmail(current.user.uuid, email, context.clock.now()))) {
    throw new KeycardError('token_invalid');
  }
  await bumpStamp(context, 'user', current.user.uuid);
  context.emit({ type: 'email_changed', userUuid: current.user.uuid, sessionUuid: current.session.uuid });
  return email;
}
