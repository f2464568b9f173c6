import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { isKeycardError, type KeycardError } from '../../src/core/errors.js';
import { defaultRateLimitPolicy, type RateLimitPolicy } from '../../src/core/rate-limit-policy.js';
import { createMemoryAttemptCounter } from '../../src/rate-limits/create-memory-attempt-counter.js';
import { createRateLimiter } from '../../src/rate-limits/rate-limiter.js';

const KEY_SECRET = new Uint8Array(32).fill(7);
const MINUTE = 60_000;

function limiterWith(policy: Partial<RateLimitPolicy> = {}) {
  const clock = new ManualClock();
  const counter = createMemoryAttemptCounter({ clock });
  const limiter = createRateLimiter({
    counter,
    policy: { ...defaultRateLimitPolicy, ...policy },
    keySecret: KEY_SECRET,
  });
  return { clock, limiter };
}

/** The `rate_limited` error a promise rejects with, or undefined if it resolves. */
async function refusal(promise: Promise<void>): Promise<KeycardError | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (!isKeycardError(error, 'rate_limited')) throw error;
    return error;
  }
}

async function failSignIns(limiter: ReturnType<typeof limiterWith>['limiter'], email: string, times: number) {
  for (let attempt = 0; attempt < times; attempt += 1) await limiter.signInFailed(email);
}

describe('the account lockout', () => {
  it('locks an email after 5 failures for 15 minutes, then lets it try again', async () => {
    const { clock, limiter } = limiterWith();
    await failSignIns(limiter, 'ada@example.com', 4);
    expect(await refusal(limiter.beforeSignIn('ada@example.com', null))).toBeUndefined();
    await limiter.signInFailed('ada@example.com');
    const refused = await refusal(limiter.beforeSignIn('ada@example.com', null));
    expect(refused?.details.retryAfterSeconds).toBe(15 * 60);
    expect(await refusal(limiter.beforeSignIn('grace@example.com', null))).toBeUndefined();

    clock.advance(15 * MINUTE - 1000);
    expect((await refusal(limiter.beforeSignIn('ada@example.com', null)))?.details.retryAfterSeconds).toBe(1);
    clock.advance(1000);
    expect(await refusal(limiter.beforeSignIn('ada@example.com', null))).toBeUndefined();
  });

  it('doubles each further lockout up to the maximum, and forgets the back-off a day after the longest one', async () => {
    const { clock, limiter } = limiterWith({ lockoutSeconds: 60, lockoutMaxSeconds: 300 });
    const lockouts: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      await failSignIns(limiter, 'ada@example.com', 5);
      const seconds = (await refusal(limiter.beforeSignIn('ada@example.com', null)))?.details
        .retryAfterSeconds;
      lockouts.push(seconds ?? 0);
      clock.advance((seconds ?? 0) * 1000);
    }
    expect(lockouts).toEqual([60, 120, 240, 300, 300]);

    clock.advance(300_000 + 86_400_000);
    await failSignIns(limiter, 'ada@example.com', 5);
    expect((await refusal(limiter.beforeSignIn('ada@example.com', null)))?.details.retryAfterSeconds).toBe(
      60,
    );
  });

  it('counts failures in a 15-minute window from the first, and a success forgets them', async () => {
    const { clock, limiter } = limiterWith();
    await failSignIns(limiter, 'ada@example.com', 4);
    clock.advance(15 * MINUTE);
    await failSignIns(limiter, 'ada@example.com', 4);
    expect(await refusal(limiter.beforeSignIn('ada@example.com', null))).toBeUndefined();
    await limiter.signInSucceeded('ada@example.com');
    await failSignIns(limiter, 'ada@example.com', 4);
    expect(await refusal(limiter.beforeSignIn('ada@example.com', null))).toBeUndefined();
  });

  it('starts one lockout when concurrent failures cross the limit together', async () => {
    const { limiter } = limiterWith({ lockoutSeconds: 60, lockoutMaxSeconds: 3600 });
    await Promise.all(Array.from({ length: 8 }, () => limiter.signInFailed('ada@example.com')));
    expect((await refusal(limiter.beforeSignIn('ada@example.com', null)))?.details.retryAfterSeconds).toBe(
      60,
    );
  });
});

describe('per-address limits', () => {
  it('allows 20 sign-in attempts a minute from one address, then refuses until the window ends', async () => {
    const { clock, limiter } = limiterWith();
    for (let attempt = 0; attempt < 20; attempt += 1) {
      expect(await refusal(limiter.beforeSignIn(`user${attempt}@example.com`, '192.0.2.1'))).toBeUndefined();
    }
    clock.advance(20_000);
    const refused = await refusal(limiter.beforeSignIn('another@example.com', '192.0.2.1'));
    expect(refused?.details.retryAfterSeconds).toBe(40);
    expect(await refusal(limiter.beforeSignIn('another@example.com', '192.0.2.2'))).toBeUndefined();
    clock.advance(40_000);
    expect(await refusal(limiter.beforeSignIn('another@example.com', '192.0.2.1'))).toBeUndefined();
  });

  it('counts an IPv6 /64 as one client, and an IPv4-mapped address as its IPv4 one', async () => {
    const { limiter } = limiterWith({ signInPerIp: { limit: 2, windowSeconds: 60 } });
    await limiter.beforeSignIn('a@example.com', '2001:db8:1:2::1');
    await limiter.beforeSignIn('a@example.com', '2001:db8:1:2:ffff:0:0:9');
    expect(await refusal(limiter.beforeSignIn('a@example.com', '2001:db8:1:2::abcd'))).toBeDefined();
    expect(await refusal(limiter.beforeSignIn('a@example.com', '2001:db8:1:3::1'))).toBeUndefined();

    await limiter.beforeSignIn('a@example.com', '198.51.100.7');
    await limiter.beforeSignIn('a@example.com', '::ffff:198.51.100.7');
    expect(await refusal(limiter.beforeSignIn('a@example.com', '198.51.100.7'))).toBeDefined();
  });

  it('skips per-address limits for operations that came without an address', async () => {
    const { limiter } = limiterWith({ registrationsPerIp: { limit: 1, windowSeconds: 3600 } });
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect(await refusal(limiter.beforeRegistration(null))).toBeUndefined();
    }
    await limiter.beforeRegistration('192.0.2.1');
    expect((await refusal(limiter.beforeRegistration('192.0.2.1')))?.details.retryAfterSeconds).toBe(3600);
  });

  it('limits refreshes per session by genuine refreshes only', async () => {
    const { limiter } = limiterWith({ refreshesPerSession: { limit: 2, windowSeconds: 60 } });
    const session = '0b5a7c59-5d2f-4d5e-9f83-3d0f9c0e6d11';
    // Attempts that were never followed by a genuine refresh (forged tokens naming the session) spend nothing.
    for (let attempt = 0; attempt < 10; attempt += 1) {
      expect(await refusal(limiter.beforeRefresh(session, '192.0.2.1'))).toBeUndefined();
    }
    await limiter.refreshed(session);
    await limiter.refreshed(session);
    expect((await refusal(limiter.beforeRefresh(session, '192.0.2.9')))?.details.retryAfterSeconds).toBe(60);
  });

  it('turns a rule off when it is undefined', async () => {
    const { limiter } = limiterWith({ signInPerIp: undefined, signInFailuresPerAccount: undefined });
    for (let attempt = 0; attempt < 50; attempt += 1) {
      await limiter.beforeSignIn('ada@example.com', '192.0.2.1');
      await limiter.signInFailed('ada@example.com');
    }
    expect(await refusal(limiter.beforeSignIn('ada@example.com', '192.0.2.1'))).toBeUndefined();
  });
});
