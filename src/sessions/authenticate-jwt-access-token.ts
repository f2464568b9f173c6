import { KeycardError } from '../core/errors.js';
import type { JwtClaims } from '../verify/jwt-claims.js';
import { isTokenError } from '../verify/token-error.js';
import { VerifiedJwtCache } from '../verify/verified-jwt-cache.js';
import { type JwtPolicy, verifyJwt } from '../verify/verify-jwt.js';
import type { CachedSession } from './session-cache.js';
import { TOUCH_INTERVAL_MS, type SessionContext } from './session-context.js';
import { endSession } from './end-session.js';
import { endedSessionError } from './ended-session-error.js';
import { accessTokenPolicy, type JwtSettings } from './jwt-access-tokens.js';
import { isSessionExpired } from './session-lifetimes.js';
import { subjectOf } from './session.js';

/**
 * Access tokens verified lately, so a token's signature is checked once, not on every request (see
 * `VerifiedJwtCache`). About 0.9 kB a token (its 500-odd characters and its claims), so 9 MB at most; a client
 * holds one access token at a time, so this covers the clients active within a few minutes on a busy node.
 */
const VERIFIED_ACCESS_TOKENS = 10_000;

/**
 * One cache per Keycard (its JWT settings), made on first use: a WeakMap rather than a field of the settings,
 * so the settings stay plain data and the cache goes with them.
 */
const verifiedAccessTokens = new WeakMap<JwtSettings, VerifiedJwtCache>();

function verifiedAccessTokensOf(settings: JwtSettings): VerifiedJwtCache {
  let cache = verifiedAccessTokens.get(settings);
  if (cache === undefined) {
    cache = new VerifiedJwtCache(accessTokenPolicy(settings), VERIFIED_ACCESS_TOKENS);
    verifiedAccessTokens.set(settings, cache);
  }
  return cache;
}

/**
 * Verifies a JWT access token (signature with the key its `kid` names, then typ, iss, aud, exp, nbf, iat and the
 * purpose `access`) and its stamps, synchronously. Throws `KeycardError`: `access_token_expired` for an expired
 * token (the client refreshes), `claims_stale` for one older than a stamp, `token_invalid` for anything else.
 * Without `policy` (Keycard's access tokens), a token verified before has only its times checked again.
 */
export function verifyJwtAccessToken(
  context: SessionContext,
  accessToken: string,
  policy?: JwtPolicy,
  now = context.clock.now(),
): JwtClaims {
  let claims: JwtClaims;
  try {
    claims =
      policy === undefined
        ? verifiedAccessTokensOf(context.jwt).verify(accessToken, now)
        : verifyJwt(accessToken, policy, now);
  } catch (error) {
    if (isTokenError(error, 'token_expired')) throw new KeycardError('access_token_expired');
    throw new KeycardError('token_invalid', { cause: error });
  }
  if (typeof claims.sid !== 'string') throw new KeycardError('token_invalid');
  const stale = context.jwt.isClaimsStale?.({
    userUuid: claims.sub,
    sessionUuid: claims.sid,
    groupId: groupOf(claims),
    elevated: typeof claims.elv === 'number',
    // Keycard's `iat` carries milliseconds; rounding undoes the float's representation error.
    issuedAtMs: Math.round(claims.iat * 1000),
  });
  if (stale === true) throw new KeycardError('claims_stale');
  return claims;
}

/**
 * The steady state of `authenticateJwtAccessToken`, synchronously: a valid token whose session the in-process
 * cache holds and trusts, live, with no activity write due. Undefined otherwise (then call the async one).
 * Unlike the opaque path it may throw: a token that fails verification is refused without any lookup.
 */
export function authenticateCachedJwtAccessToken(
  context: SessionContext,
  accessToken: string,
): CachedSession | undefined {
  // One reading of the clock for the whole check: it is not free, and this runs on every request.
  const now = context.clock.now();
  let claims: JwtClaims;
  try {
    claims = verifyJwtAccessToken(context, accessToken, undefined, now);
  } catch (error) {
    if (isUnknownKey(error)) return undefined; // perhaps another node's new key: the async path reads the keys
    throw error;
  }
  const slot = context.cache.findTrusted(claims.sid ?? '', now);
  if (slot === -1) return undefined;
  const entry = context.cache.entryAt(slot);
  if (!accepts(context, entry, claims, now)) return undefined;
  if (now - entry.session.updatedAt >= TOUCH_INTERVAL_MS) return undefined;
  if (context.deniedApiVersions.size !== 0 && context.deniedApiVersions.has(entry.session.apiVersion)) {
    return undefined;
  }
  context.cache.countLocalHit();
  return entry;
}

/**
 * Authenticates a JWT access token: verified without the store, then its session must still be live. That is
 * read from the in-process cache in the steady state (no SQL per request), else from the shared cache or the
 * store. A token whose session ended gets `session_revoked` with the reason (a valid signature proves the holder
 * was given a token of that session) or `session_expired`.
 */
export async function authenticateJwtAccessToken(
  context: SessionContext,
  accessToken: string,
  policy?: JwtPolicy,
): Promise<CachedSession & { claims: JwtClaims }> {
  let claims: JwtClaims;
  try {
    claims = verifyJwtAccessToken(context, accessToken, policy);
  } catch (error) {
    // A kid this node has not seen may be another node's new key: read the keys again (rate-limited) and retry.
    if (!isUnknownKey(error) || !(await context.jwt.keyring.reloadForUnknownKid())) throw error;
    claims = verifyJwtAccessToken(context, accessToken, policy);
  }
  const sessionUuid = claims.sid ?? '';
  const slot = context.cache.findTrusted(sessionUuid);
  let entry = slot === -1 ? undefined : context.cache.entryAt(slot);
  if (entry !== undefined && accepts(context, entry, claims, context.clock.now())) {
    context.cache.countLocalHit();
  } else {
    const load = () => context.store.findSessionAndUser(sessionUuid);
    entry =
      slot === -1
        ? await context.cache.read(sessionUuid, load)
        : await context.cache.reload(sessionUuid, load);
    if (entry === undefined) {
      throw await endedSessionError(context, sessionUuid, () => true, new KeycardError('token_invalid'));
    }
    if (subjectOf(entry.session) !== claims.sub) throw new KeycardError('token_invalid');
  }
  const now = context.clock.now();
  // As for opaque tokens: refused, not revoked (the denial may be lifted); the client signs in anew.
  if (context.deniedApiVersions.has(entry.session.apiVersion)) throw new KeycardError('api_version_denied');
  if (isSessionExpired(context.lifetimes, entry.session, now)) {
    await endSession(context, entry.session, 'expired');
    throw new KeycardError('session_expired');
  }
  if (now - entry.session.updatedAt >= TOUCH_INTERVAL_MS) {
    entry = { ...entry, session: { ...entry.session, updatedAt: now } };
    context.cache.touched(entry);
    await context.store.touchSession(sessionUuid, now);
  }
  return { ...entry, claims };
}

function accepts(context: SessionContext, entry: CachedSession, claims: JwtClaims, now: number): boolean {
  return (
    subjectOf(entry.session) === claims.sub &&
    entry.session.uuid === claims.sid &&
    !isSessionExpired(context.lifetimes, entry.session, now)
  );
}

function isUnknownKey(error: unknown): boolean {
  return error instanceof KeycardError && isTokenError(error.cause, 'token_key_unknown');
}

/** The session's group as the token carries it (`groups`, one id; see issueJwtAccessToken), or null. */
function groupOf(claims: JwtClaims): string | null {
  const [group] = Array.isArray(claims.groups) ? (claims.groups as unknown[]) : [];
  return typeof group === 'string' ? group : null;
}
