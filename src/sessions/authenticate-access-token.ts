import { KeycardError } from '../core/errors.js';
import { hashesMatch, hashSecret } from '../tokens/opaque-secret.js';
import { parseAccessToken } from '../tokens/session-token.js';
import type { CachedSession } from './session-cache.js';
import { TOUCH_INTERVAL_MS, type SessionContext } from './session-context.js';
import { endSession } from './end-session.js';
import { endedSessionError } from './ended-session-error.js';
import { isSessionExpired } from './session-lifetimes.js';
import { authenticateCachedAccessToken } from './authenticate-cached-access-token.js';
import { loadStamps } from '../claims/load-stamps.js';
import { userAccess } from '../access/user-access.js';
import { accessIssuedAt, subjectOf } from './session.js';
import type { SessionUser } from '../accounts/user.js';

/** A request's verified caller with an account: a user's session. */
export interface AuthenticatedSession extends CachedSession {
  readonly user: SessionUser;
}

/** Whether a verified caller is a user's session (else it is anonymous). */
export function hasAccount(caller: CachedSession): caller is AuthenticatedSession {
  return caller.user !== null;
}

/** The caller as a user's session; 403 `account_required` for an anonymous session. */
export function requireAccount(caller: CachedSession): AuthenticatedSession {
  if (!hasAccount(caller)) throw new KeycardError('account_required');
  return caller;
}

/**
 * Checks an opaque access token and returns its session and user (null for an anonymous session: the caller
 * decides whether it needs an account, see `requireAccount`).
 *
 * In the steady state this is `authenticateCachedAccessToken`: a synchronous cache hit, one SHA-256 and a
 * constant-time compare, no SQL. The store is read on a miss, before refusing on the strength of cached state (another
 * node may have rotated or touched the session), and written at most once a minute per session for activity.
 */
export async function authenticateAccessToken(
  context: SessionContext,
  accessToken: string,
): Promise<CachedSession> {
  // The steady state, synchronous and allocating nothing; what follows decides everything else.
  const cached = authenticateCachedAccessToken(context, accessToken);
  if (cached !== undefined) return cached;

  const parts = parseAccessToken(accessToken);
  if (parts === undefined) throw new KeycardError('token_invalid');
  const { sessionUuid } = parts;
  const presentedHash = hashSecret(parts.secret);
  const now = context.clock.now();
  const accepts = (candidate: CachedSession) =>
    hashesMatch(presentedHash, candidate.session.accessHash) &&
    !isSessionExpired(context.lifetimes, candidate.session, now);

  // A trusted cached session whose hash matches, which the fast path left here: its access token expired, its
  // activity is due, or it expired (which the store is asked about below, before ending it).
  const slot = context.cache.findTrusted(sessionUuid);
  let entry =
    slot !== -1 && context.cache.accessHashMatches(slot, presentedHash)
      ? context.cache.entryAt(slot)
      : undefined;

  if (entry !== undefined && !isSessionExpired(context.lifetimes, entry.session, now)) {
    context.cache.countLocalHit();
  } else {
    const read = { fromStore: false };
    const load = () => {
      read.fromStore = true;
      return context.store.findSessionAndUser(sessionUuid);
    };
    // A refusal based on trusted cached state, which may be older than the store (another node rotated or
    // touched the session), asks the store once before refusing; so does one based on the shared cache.
    entry =
      slot === -1
        ? await context.cache.read(sessionUuid, load)
        : await context.cache.reload(sessionUuid, load);
    if (entry !== undefined && !accepts(entry) && !read.fromStore) {
      entry = await context.cache.reload(sessionUuid, load);
    }
    if (entry === undefined) {
      throw await endedSessionError(
        context,
        sessionUuid,
        (revoked) => hashesMatch(presentedHash, revoked.accessHash),
        new KeycardError('token_invalid'),
      );
    }
    if (!hashesMatch(presentedHash, entry.session.accessHash)) throw new KeycardError('token_invalid');
  }

  const { session } = entry;
  // Refused, not revoked: the session may serve again if the denial is lifted; the client signs in anew.
  if (context.deniedApiVersions.has(session.apiVersion)) throw new KeycardError('api_version_denied');
  if (isSessionExpired(context.lifetimes, session, now)) {
    await endSession(context, session, 'expired');
    throw new KeycardError('session_expired');
  }
  if (now >= session.accessExpiresAt) throw new KeycardError('access_token_expired');
  await loadStamps(context);
  if (context.stamps.isStale(subjectOf(session), session.groupId, accessIssuedAt(session))) {
    throw new KeycardError('claims_stale');
  }
  if (session.userUuid !== null) await userAccess(context, session.userUuid);

  if (now - session.updatedAt >= TOUCH_INTERVAL_MS) {
    entry = { ...entry, session: { ...session, updatedAt: now } };
    context.cache.touched(entry);
    await context.store.touchSession(sessionUuid, now);
  }
  return entry;
}
