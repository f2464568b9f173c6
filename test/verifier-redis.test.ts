import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/core/clock.js';
import { createRedisSessionSync } from '../src/store/redis/create-redis-session-sync.js';
import { createVerifier, type Verifier } from '../src/verify/index.js';
import { TEST_REDIS_URL as REDIS_URL } from './support/cluster-node.js';
import { JWT_ISSUER, type ListeningKeycard, startListeningKeycard } from './support/listening-keycard.js';
import { PASSWORD } from './support/test-keycard.js';

let kc: ListeningKeycard | undefined;
let verifier: Verifier | undefined;
afterEach(async () => {
  await verifier?.close();
  await kc?.close();
});

/** A listening Keycard whose nodes' channel is on Redis, under a prefix of its own. */
async function startOnRedis(): Promise<{ node: ListeningKeycard; keyPrefix: string }> {
  const keyPrefix = `keycard-test-${randomBytes(4).toString('hex')}:`;
  const node = await startListeningKeycard(
    {},
    { sync: createRedisSessionSync({ url: REDIS_URL, clock: systemClock, keyPrefix }) },
  );
  kc = node;
  await node.keycard.start({ sweepIntervalMs: 3_600_000, pollIntervalMs: 0 });
  return { node, keyPrefix };
}

/** A verifier listening on that channel, ready. */
async function verifierOnRedis(keyPrefix: string): Promise<Verifier> {
  const created = createVerifier({
    issuer: JWT_ISSUER,
    audience: 'api',
    jwksUrl: `${kc?.url ?? ''}/.well-known/jwks.json`,
    feed: { redis: { url: REDIS_URL, keyPrefix } },
  });
  await created.ready();
  return created;
}

describe('a verifier on Keycard’s Redis channel', () => {
  it('refuses a revoked session within milliseconds, and tokens issued before it subscribed as stale', async () => {
    const { node, keyPrefix } = await startOnRedis();
    const before = await node.register();
    await new Promise((resolve) => setTimeout(resolve, 50)); // issued well before the subscription
    verifier = await verifierOnRedis(keyPrefix);
    // Redis kept nothing of what happened before: older tokens must be refreshed.
    expect(await verifier.verify(before.tokens.access_token)).toMatchObject({
      ok: false,
      code: 'claims_stale',
    });
    const { tokens } = await node.register();
    expect((await verifier.verify(tokens.access_token)).ok).toBe(true);
    await node.signOut(tokens.access_token);
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

  it('hears Keycard’s stamps on Redis: a role taken, and a dropped elevation, make the tokens they concern stale', async () => {
    const { node, keyPrefix } = await startOnRedis();
    verifier = await verifierOnRedis(keyPrefix);
    const alice = await node.register();
    const refresh = async (refreshToken: string) => {
      const response = await fetch(`${node.url}/session/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: refreshToken }),
      });
      return ((await response.json()) as { tokens: { access_token: string; refresh_token: string } }).tokens;
    };
    const refusedWith = async (token: string) => {
      const deadline = Date.now() + 2000;
      for (;;) {
        const result = await verifier?.verify(token);
        if (result?.ok === false) return result.code;
        if (Date.now() > deadline) return 'accepted';
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    };
    expect((await verifier.verify(alice.tokens.access_token)).ok).toBe(true);
    await node.keycard.admin.access.setUserRole(alice.user.uuid, 'admin', true);
    expect(await refusedWith(alice.tokens.access_token)).toBe('claims_stale');

    const admin = await refresh(alice.tokens.refresh_token);
    const elevate = await fetch(`${node.url}/session/elevate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ password: PASSWORD }),
    });
    expect(elevate.status).toBe(200);
    const elevated = await refresh(admin.refresh_token);
    expect((await verifier.verify(elevated.access_token)).ok).toBe(true);
    const dropped = await fetch(`${node.url}/session/elevate`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${elevated.access_token}` },
    });
    expect(dropped.status).toBe(204);
    expect(await refusedWith(elevated.access_token)).toBe('claims_stale');
    expect((await verifier.verify(admin.access_token)).ok).toBe(true); // it never claimed the elevation
  });
});
