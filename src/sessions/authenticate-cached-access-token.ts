import { hashSecret } from '../tokens/opaque-secret.js';
import { parseAccessToken } from '../tokens/session-token.js';
import type { CachedSession } from './session-cache.js';
import { TOUCH_INTERVAL_MS, type SessionContext } from './session-context.js';
import { isSessionExpired } from './session-lifetimes.js';

/**
 * The steady state of `authenticateAccessToken`, synchronously: the session of a well-formed access token that
 * the in-process cache holds, trusts and matches, that has not expired and needs no activity write. Anything
 * else (a miss, a mismatch, an expiry, a refusal, a touch due) is undefined, and the caller must then ask
 * `authenticateAccessToken`, which decides with the store. It never refuses on its own: it only accepts.
 *
 * It exists because the hot path of every authenticated request should not pay for a promise chain: in the
 * `GET /me` bench the async path cost a few microseconds a request more than this one (see README, Performance).
 */
export function authenticateCachedAccessToken(
  context: SessionContext,
  accessToken: string,
): CachedSession | undefined {
  const parts = parseAccessToken(accessToken);
  if (parts === undefined) return undefined;
  const slot = context.cache.findTrusted(parts.sessionUuid);
  if (slot === -1 || !context.cache.accessHashMatches(slot, hashSecret(parts.secret))) return undefined;
  const entry = context.cache.entryAt(slot);
  const { session } = entry;
  const now = context.clock.now();
  if (isSessionExpired(context.lifetimes, session, now) || now >= session.accessExpiresAt) return undefined;
  if (now - session.updatedAt >= TOUCH_INTERVAL_MS) return undefined;
  return entry;
}
