import { isKeycardError } from '../core/errors.js';
import type { RequestContext } from '../core/keycard-events.js';
import type { RateLimiter } from './rate-limiter.js';

/**
 * Runs an access-token check that may read the store (a cache miss, a legacy JWT) under the per-address limit
 * on invalid tokens: an address over it is refused before the lookup, and each `token_invalid` counts against
 * it. Expired or revoked sessions' tokens do not count: their holders are legitimate clients, told what to do.
 * The synchronous cache-hit path never gets here, so valid tokens pay nothing.
 */
export async function limitTokenFailures<T>(
  rateLimiter: RateLimiter,
  request: RequestContext | undefined,
  check: () => Promise<T>,
): Promise<T> {
  const address = request?.ip ?? null;
  await rateLimiter.beforeTokenLookup(address);
  try {
    return await check();
  } catch (error) {
    if (isKeycardError(error, 'token_invalid')) await rateLimiter.tokenRejected(address);
    throw error;
  }
}
