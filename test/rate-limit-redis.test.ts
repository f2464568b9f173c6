import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/core/clock.js';
import { defaultRateLimitPolicy } from '../src/core/rate-limit-policy.js';
import type { AttemptCounter } from '../src/rate-limits/attempt-counter.js';
import { createMemoryAttemptCounter } from '../src/rate-limits/create-memory-attempt-counter.js';
import { createRedisAttemptCounter } from '../src/store/redis/create-redis-attempt-counter.js';
import { TEST_REDIS_URL } from './support/cluster-node.js';
import {
  createTestKeycard,
  errorOf,
  PASSWORD,
  registerUser,
  type TestKeycard,
} from './support/test-keycard.js';

// Rate-limit counters shared through Redis (at KEYCARD_TEST_REDIS_URL, 127.0.0.1:6379 by default), under a key
// prefix of this run's own, so parallel runs and the other stores' runs of this file never meet.
const prefix = `keycard_test_${randomBytes(6).toString('hex')}:`;
let admin: Redis;
let closeLater: { close(): Promise<void> }[] = [];

beforeAll(() => {
  admin = new Redis(TEST_REDIS_URL);
});
afterEach(async () => {
  await Promise.all(closeLater.map((closable) => closable.close()));
  closeLater = [];
});
afterAll(async () => {
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  admin.disconnect();
});

function redisCounter(
  options: { url?: string; onUnavailable?: (error: unknown) => void } = {},
): AttemptCounter {
  const counter = createRedisAttemptCounter({
    url: options.url ?? TEST_REDIS_URL,
    keyPrefix: prefix,
    fallback: createMemoryAttemptCounter({ clock: new ManualClock() }),
    ...(options.onUnavailable === undefined ? {} : { onUnavailable: options.onUnavailable }),
  });
  return counter;
}

/** Waits until the counter counts in Redis (its connection is up), so a test never starts on the fallback. */
async function onRedis(counter: AttemptCounter): Promise<AttemptCounter> {
  const probe = `probe-${randomBytes(4).toString('hex')}`;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    await counter.increment(probe, 10_000);
    if ((await admin.exists(`${prefix}rl:${probe}`)) === 1) return counter;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the counter never reached Redis');
}

async function node(counter: AttemptCounter): Promise<TestKeycard> {
  const instance = await createTestKeycard(
    { rateLimits: defaultRateLimitPolicy },
    { attemptCounter: counter },
  );
  closeLater.push(instance); // closing the Keycard closes its counter
  return instance;
}

function signIn(app: FastifyInstance, email: string, password: string, remoteAddress: string) {
  return app.inject({ method: 'POST', url: '/auth/sign_in', payload: { email, password }, remoteAddress });
}

describe('rate-limit counters in Redis', () => {
  it('count atomically across counters and set an expiry on every key', async () => {
    const first = redisCounter();
    const second = redisCounter();
    closeLater.push(first, second);
    await Promise.all([onRedis(first), onRedis(second)]);
    const key = `atomic-${randomBytes(4).toString('hex')}`;
    const counts = await Promise.all(
      Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? first : second).increment(key, 60_000)),
    );
    expect(counts.map((count) => count.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, index) => index + 1),
    );
    const ttl = await admin.pttl(`${prefix}rl:${key}`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect((await second.read(key)).count).toBe(40);

    await first.increment(key, 5000, { restartWindow: true });
    expect(await admin.pttl(`${prefix}rl:${key}`)).toBeLessThanOrEqual(5000);
    await second.reset([key]);
    expect(await first.read(key)).toEqual({ count: 0, remainingMs: 0 });
  });

  it('share a lockout between two nodes: failures on one lock the account on the other', async () => {
    const a = await node(await onRedis(redisCounter()));
    const b = await node(await onRedis(redisCounter()));
    const { user } = await registerUser(a.app);
    for (let attempt = 0; attempt < 3; attempt += 1) await signIn(a.app, user.email, 'wrong', '192.0.2.10');
    for (let attempt = 0; attempt < 2; attempt += 1) await signIn(b.app, user.email, 'wrong', '192.0.2.11');

    // Node b has no account of this email in its own store: the lockout is Redis's, not the store's.
    const refused = await signIn(b.app, user.email, PASSWORD, '192.0.2.12');
    expect(errorOf(refused).code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(890);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(900);
    expect(errorOf(await signIn(a.app, user.email, PASSWORD, '192.0.2.13')).code).toBe('rate_limited');
  });

  it('share per-address counts between two nodes', async () => {
    const a = await node(await onRedis(redisCounter()));
    const b = await node(await onRedis(redisCounter()));
    const address = `198.51.100.${String(randomBytes(1)[0] ?? 0)}`;
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const app = attempt % 2 === 0 ? a.app : b.app;
      expect((await signIn(app, `n${attempt}@example.com`, PASSWORD, address)).statusCode).toBe(401);
    }
    expect(errorOf(await signIn(a.app, 'late@example.com', PASSWORD, address)).code).toBe('rate_limited');
    expect(errorOf(await signIn(b.app, 'late@example.com', PASSWORD, address)).code).toBe('rate_limited');
  });

  it('fall back to counting in memory when Redis is unreachable, and say so once', async () => {
    const warnings: unknown[] = [];
    // Nothing listens on port 1: every connection attempt is refused.
    const instance = await node(
      redisCounter({ url: 'redis://127.0.0.1:1', onUnavailable: (error) => warnings.push(error) }),
    );
    const { user } = await registerUser(instance.app);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect(errorOf(await signIn(instance.app, user.email, 'wrong', '192.0.2.20')).code).toBe(
        'invalid_credentials',
      );
    }
    const refused = await signIn(instance.app, user.email, PASSWORD, '192.0.2.20');
    expect(errorOf(refused).code).toBe('rate_limited');
    expect(refused.headers['retry-after']).toBe('900');
    expect(warnings).toHaveLength(1);
  });
});
