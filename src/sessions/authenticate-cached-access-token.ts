import { hashSecret } from '../tokens/opaque-secret.js';
import type { CachedSession } from './session-cache.js';
import { TOUCH_INTERVAL_MS, type SessionContext } from './session-context.js';
import { isSessionExpired } from './session-lifetimes.js';
import { accessIssuedAt, subjectOf } from './session.js';

const UUID_LENGTH = 36;
const DOT = 0x2e;

/**
 * The steady state of `authenticateAccessToken`, synchronously: the session of a well-formed access token that
 * the in-process cache holds, trusts and matches, that has not expired and needs no activity write. Anything
 * else (a miss, a mismatch, an expiry, a refusal, a touch due, a denied API version) is undefined, and the caller must then ask
 * `authenticateAccessToken`, which decides with the store. It never refuses on its own: it only accepts.
 *
 * It exists because the hot path of every authenticated request should not pay for a promise chain: in the
 * `GET /me` bench the async path cost a few microseconds a request more than this one (see README, Performance).
 */
export function authenticateCachedAccessToken(
  context: SessionContext,
  accessToken: string,
): CachedSession | undefined {
  // No parseAccessToken and its patterns here: a session uuid the cache holds is well formed by construction
  // (anything else is a miss), and only the one secret whose hash matches gets through.
  if (accessToken.charCodeAt(UUID_LENGTH) !== DOT) return undefined;
  // One reading of the clock for the whole check: it is not free, and this runs on every request.
  const now = context.clock.now();
  const slot = context.cache.findTrusted(accessToken.slice(0, UUID_LENGTH), now);
  if (slot === -1) return undefined;
  if (!context.cache.accessHashMatches(slot, hashSecret(accessToken.slice(UUID_LENGTH + 1))))
    return undefined;
  const entry = context.cache.entryAt(slot);
  const { session } = entry;
  if (isSessionExpired(context.lifetimes, session, now) || now >= session.accessExpiresAt) return undefined;
  if (now - session.updatedAt >= TOUCH_INTERVAL_MS) return undefined;
  if (context.deniedApiVersions.size !== 0 && context.deniedApiVersions.has(session.apiVersion))
    return undefined;
  // Stamps: two Map lookups, no allocation. Before they are loaded, nothing is accepted from memory alone.
  const { stamps } = context;
  if (!stamps.loaded || stamps.isStale(subjectOf(session), session.groupId, accessIssuedAt(session))) {
    return undefined;
  }
  // The user's roles and permissions must be held too, so guards and GET /me need no SQL either (an anonymous
  // session holds none).
  if (session.userUuid !== null && context.access.find(session.userUuid) === undefined) return undefined;
  context.cache.countLocalHit();
  return entry;
}
