import { KeycardError } from '../core/errors.js';
import { hashesMatch } from '../tokens/opaque-secret.js';
import { legacyPasswordHashOf, verifyLegacyJwt } from '../tokens/legacy-jwt.js';
import type { AccountContext } from './account-context.js';
import { isLegacyAccountVersion } from './legacy-accounts.js';
import { type SessionUser, withoutPasswordHash } from './user.js';

/**
 * The caller of a legacy JWT (seed 004): its user when the account is still legacy (version 003 or below).
 *
 * - Not a genuine legacy JWT, an unknown or disabled account, or a `pw_hash` that is no longer the account's
 *   (the password changed): `token_invalid`, one answer for all.
 * - A genuine one for an account of version 004 or later (upgraded since): `session_required`, for API versions
 *   20190520 and 20200115 alike: the client must sign in and use the session's tokens.
 *
 * Legacy tokens are rare and read the account each time (one query): nothing is cached for them, so a password
 * change or an upgrade is seen by the next request on every node.
 */
export async function authenticateLegacyToken(context: AccountContext, token: string): Promise<SessionUser> {
  const claims = await verifyLegacyJwt(context.legacyJwtKey, token);
  if (claims === undefined) throw new KeycardError('token_invalid');
  const user = await context.store.findUserByUuid(claims.userUuid);
  if (
    user === undefined ||
    user.disabledAt !== null ||
    !hashesMatch(claims.pwHash, legacyPasswordHashOf(user.passwordHash))
  ) {
    throw new KeycardError('token_invalid');
  }
  if (!isLegacyAccountVersion(user.version)) throw new KeycardError('session_required');
  return withoutPasswordHash(user);
}
