import { isKeycardError } from '../core/errors.js';
import type { CachedSession } from './session-cache.js';
import type { AnonymousOrigin } from './start-session.js';

/**
 * The anonymous session whose access token a sign-in or registration came with, so the new session can carry it
 * over (`SessionOptions.fromAnonymous`). Undefined for anything else, and the sign-in goes on without an
 * upgrade (its answer then has no `anonymous_id`):
 *
 * - a user's session: only an anonymous session is ever upgraded, whatever token a client sends along;
 * - a token refused for any reason (malformed, forged, expired, revoked, of a denied API version, rate-limited):
 *   a stale token left in a client must not cost its holder a sign-in. An expired access token is refused too,
 *   as everywhere: a client refreshes first (the anonymous session's refresh token works as any other).
 *
 * Only an unavailable store is thrown, as the sign-in itself would fail.
 */
export async function findAnonymousOrigin(
  authenticate: (accessToken: string) => Promise<CachedSession>,
  accessToken: string,
): Promise<AnonymousOrigin | undefined> {
  let caller: CachedSession;
  try {
    caller = await authenticate(accessToken);
  } catch (error) {
    if (isKeycardError(error) && error.code !== 'store_unavailable') return undefined;
    throw error;
  }
  const { session } = caller;
  if (session.userUuid !== null || session.anonymousId === null) return undefined;
  return { sessionUuid: session.uuid, anonymousId: session.anonymousId };
}
