import { KeycardError } from '../core/errors.js';
import type { RevokedSession } from './session.js';
import type { SessionContext } from './session-context.js';

/**
 * The error for a token whose session is no longer live. A client that proves it held the session's last tokens
 * learns why it ended (`session_expired`, or `session_revoked` with the reason, so an app can say "you were signed
 * out from another device"); anyone else gets `fallback`, which says nothing about the session.
 */
export async function endedSessionError(
  context: SessionContext,
  sessionUuid: string,
  provesPossession: (revoked: RevokedSession) => boolean,
  fallback: KeycardError,
): Promise<KeycardError> {
  const revoked = await context.store.findRevokedSession(sessionUuid);
  if (revoked === undefined || !provesPossession(revoked)) return fallback;
  if (revoked.reason === 'expired') return new KeycardError('session_expired');
  return new KeycardError('session_revoked', { details: { reason: revoked.reason } });
}
