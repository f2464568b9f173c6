import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/core/clock.js';
import { createRedisSessionSync } from '../src/store/redis/create-redis-session-sync.js';
import { createVerifier, type Verifier } from '../src/verify/index.js';
import { TEST_REDIS_URL as REDIS_URL } from './support/cluster-node.js';
import { JWT_ISSUER, type ListeningKeycard, startListeningKeycard } from './support/listening-keycard.js';

let kc: ListeningKeycard | undefined;
let verifier: Verifier | undefined;
afterEach(async () => {
  await verifier?.close();
  await kc?.close();
});

describe('a verifier on Keycard’s Redis channel', () => {
  it('refuses a revoked session within milliseconds, and tokens issued before it subscribed as stale', async () => {
    const keyPrefix = `keycard-test-${randomBytes(4).toString('hex')}:`;
    kc = await startListeningKeycard(
      {},
      { sync: createRedisSessionSync({ url: REDIS_URL, clock: systemClock, keyPrefix }) },
    );
    await kc.keycard.start({ sweepIntervalMs: 3_600_000, pollIntervalMs: 0 });
    const before = await kc.register();
    await new Promise((resolve) => setTimeout(resolve, 1100)); // iat has a one-second resolution
    verifier = createVerifier({
      issuer: JWT_ISSUER,
      audience: 'api',
      jwksUrl: `${kc.url}/.well-known/jwks.json`,
      feed: { redis: { url: REDIS_URL, keyPrefix } },
    });
    await verifier.ready();
    // Redis kept nothing of what happened before: older tokens must be refreshed.
    expect(await verifier.verify(before.tokens.access_token)).toMatchObject({
      ok: false,
      code: 'claims_stale',
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const { tokens } = await kc.register();
    expect((await verifier.verify(tokens.access_token)).ok).toBe(true);
    await kc.signOut(tokens.access_token);
    const signedOutAt = performance.now();
    for (;;) {
      const result = await verifier.verify(tokens.access_token);
      if (!result.ok) {
        expect(result.code).toBe('token_revoked');
        break;
      }
      expect(performance.now() - signedOutAt).toBeLessThan(500);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  });
});
