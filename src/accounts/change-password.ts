import { bumpStamp } from '../claims/bump-stamp.js';
import { KeycardError } from '../core/errors.js';
import type { AuthenticatedSession } from '../sessions/authenticate-access-token.js';
import { requireElevation } from '../sessions/elevate-session.js';
import { sessionsEnded } from '../sessions/end-session.js';
import type { AccountContext } from './account-context.js';
import { confirmPassword } from './confirm-password.js';
import { checkPasswordStrength } from './password-policy.js';

export interface PasswordChange {
  /** Required unless the session is elevated. */
  readonly currentPassword?: string;
  readonly newPassword: string;
  /** Keep the user's other sessions signed in (default: revoke them, reason `password_changed`). */
  readonly keepOtherSessions?: boolean;
}

/**
 * Changes the caller's password: confirmed by the current password (or an elevated session), checked against
 * the password policy, rehashed. Every other session is revoked (reason `password_changed`) unless the caller
 * keeps them, and the user's stamp is bumped, so every token issued before (this session's too: refresh it)
 * fails with `claims_stale`. Legacy JWTs die with the old hash. Returns how many sessions were revoked.
 */
export async function changePassword(
  context: AccountContext,
  current: AuthenticatedSession,
  change: PasswordChange,
): Promise<number> {
  checkPasswordStrength(change.newPassword, 'new_password');
  if (change.currentPassword === undefined) requireElevation(context, current);
  else await confirmPassword(context, current.user.uuid, change.currentPassword);
  const now = context.clock.now();
  const hash = await context.passwordHasher.hash(change.newPassword);
  if (!(await context.store.setUserPassword(current.user.uuid, hash, now))) {
    throw new KeycardError('token_invalid'); // the account went away meanwhile
  }
  let revoked = 0;
  if (change.keepOtherSessions !== true) {
    const ended = await context.store.revokeUserSessions(
      current.user.uuid,
      current.session.uuid,
      'password_changed',
      now,
    );
    await sessionsEnded(context, ended, 'password_changed');
    revoked = ended.length;
  }
  await bumpStamp(context, 'user', current.user.uuid);
  context.emit({ type: 'password_changed', userUuid: current.user.uuid, sessionUuid: current.session.uuid });
  return revoked;
}
