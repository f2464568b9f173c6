import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../src/core/clock.js';
import { defaultRateLimitPolicy, type RateLimitPolicy } from '../src/core/rate-limit-policy.js';
import type { AttemptCounter } from '../src/rate-limits/attempt-counter.js';
import { createMemoryAttemptCounter } from '../src/rate-limits/create-memory-attempt-counter.js';
import {
  createTestKeycard,
  errorOf,
  PASSWORD,
  registerUser,
  type SignedInJson,
  type TestKeycard,
  uniqueEmail,
  useTestKeycard,
} from './support/test-keycard.js';

const MINUTE = 60_000;
const CLIENT = '192.0.2.1';

function signIn(
  app: FastifyInstance,
  email: string,
  password: string,
  remoteAddress = CLIENT,
  headers: Record<string, string> = {},
) {
  return app.inject({
    method: 'POST',
    url: '/auth/sign_in',
    payload: { email, password },
    remoteAddress,
    headers,
  });
}

function refresh(app: FastifyInstance, refreshToken: string, remoteAddress = CLIENT) {
  return app.inject({
    method: 'POST',
    url: '/session/refresh',
    payload: { refresh_token: refreshToken },
    remoteAddress,
  });
}

/** What a client sees of an answer: status, body and `Retry-After`. */
function seen(response: LightMyRequestResponse) {
  return {
    status: response.statusCode,
    body: response.json<unknown>(),
    retryAfter: response.headers['retry-after'],
  };
}

function expectRateLimited(response: LightMyRequestResponse, retryAfterSeconds: number) {
  expect(response.statusCode).toBe(429);
  expect(response.json()).toEqual({
    error: { code: 'rate_limited', message: 'Too many attempts; try again later.' },
  });
  expect(response.headers['retry-after']).toBe(String(retryAfterSeconds));
  expect(response.headers['cache-control']).toBe('no-store');
}

async function failSignIns(app: FastifyInstance, email: string, times: number, remoteAddress = CLIENT) {
  for (let attempt = 0; attempt < times; attempt += 1) {
    const response = await signIn(app, email, 'wrong password', remoteAddress);
    expect(errorOf(response).code).toBe('invalid_credentials');
  }
}

describe('sign-in limits (the documented defaults)', () => {
  const t = useTestKeycard({ rateLimits: defaultRateLimitPolicy });

  it('answers 429 rate_limited with Retry-After after 20 attempts a minute from one address, and recovers', async () => {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      expect((await signIn(t.app, uniqueEmail(), PASSWORD)).statusCode).toBe(401);
    }
    t.clock.advance(15_000);
    expectRateLimited(await signIn(t.app, uniqueEmail(), PASSWORD), 45);
    // Another address is another client; so is this one once the minute is over.
    expect((await signIn(t.app, uniqueEmail(), PASSWORD, '192.0.2.2')).statusCode).toBe(401);
    t.clock.advance(45_000);
    expect((await signIn(t.app, uniqueEmail(), PASSWORD)).statusCode).toBe(401);
  });

  it('locks an account out after 5 failures: the correct password is refused, from any address, until it ends', async () => {
    const { user } = await registerUser(t.app);
    await failSignIns(t.app, user.email, 5);
    const eventsBefore = t.events.length;

    expectRateLimited(await signIn(t.app, user.email, PASSWORD), 15 * 60);
    expectRateLimited(await signIn(t.app, user.email, PASSWORD, '198.51.100.20'), 15 * 60);
    t.clock.advance(14 * MINUTE);
    expectRateLimited(await signIn(t.app, user.email, PASSWORD), 60);
    expect(t.events.slice(eventsBefore)).toEqual([]); // no session started, no password checked

    t.clock.advance(MINUTE);
    expect((await signIn(t.app, user.email, PASSWORD)).statusCode).toBe(200);
  });

  it('grows each further lockout: 15 minutes, then 30, then an hour', async () => {
    const { user } = await registerUser(t.app);
    const lockouts: (string | undefined)[] = [];
    for (let round = 0; round < 3; round += 1) {
      await failSignIns(t.app, user.email, 5, `198.51.100.${round}`);
      const refused = await signIn(t.app, user.email, PASSWORD, `198.51.100.${round}`);
      lockouts.push(refused.headers['retry-after']);
      t.clock.advance(Number(refused.headers['retry-after']) * 1000);
    }
    expect(lockouts).toEqual(['900', '1800', '3600']);
    expect((await signIn(t.app, user.email, PASSWORD)).statusCode).toBe(200);
  });

  it('keeps the per-address limit apart from the account: one address cannot lock out what it does not try', async () => {
    const { user } = await registerUser(t.app);
    await failSignIns(t.app, user.email, 4, '203.0.113.1');
    for (let attempt = 0; attempt < 16; attempt += 1)
      await signIn(t.app, uniqueEmail(), PASSWORD, '203.0.113.1');
    expectRateLimited(await signIn(t.app, user.email, PASSWORD, '203.0.113.1'), 60);
    expect((await signIn(t.app, user.email, PASSWORD, '203.0.113.2')).statusCode).toBe(200);
  });
});

describe('an unknown email and a known one', () => {
  let instances: TestKeycard[] = [];
  afterEach(async () => {
    await Promise.all(instances.map((instance) => instance.close()));
    instances = [];
  });

  /** A Keycard whose counter notes every operation without its key (keys differ by email, by design). */
  async function recordingKeycard(operations: string[]): Promise<TestKeycard> {
    const inner = createMemoryAttemptCounter({ clock: new ManualClock() });
    const attemptCounter: AttemptCounter = {
      increment: (key, windowMs, options) => {
        operations.push(`increment ${key.split(':')[0] ?? ''} ${windowMs} ${String(options?.restartWindow)}`);
        return inner.increment(key, windowMs, options);
      },
      read: (key) => {
        operations.push(`read ${key.split(':')[0] ?? ''}`);
        return inner.read(key);
      },
      reset: (keys) => {
        operations.push(`reset ${keys.map((key) => key.split(':')[0] ?? '').join(',')}`);
        return inner.reset(keys);
      },
      close: () => inner.close(),
    };
    const instance = await createTestKeycard({ rateLimits: defaultRateLimitPolicy }, { attemptCounter });
    instances.push(instance);
    return instance;
  }

  it('get the same answers, from the same counters, through the lockout', async () => {
    const knownOperations: string[] = [];
    const unknownOperations: string[] = [];
    const known = await recordingKeycard(knownOperations);
    const unknown = await recordingKeycard(unknownOperations);
    const { user } = await registerUser(known.app);
    knownOperations.length = 0;

    const answers = async (app: FastifyInstance, email: string) => {
      const seenAnswers = [];
      for (let attempt = 0; attempt < 7; attempt += 1)
        seenAnswers.push(seen(await signIn(app, email, 'nope nope')));
      return seenAnswers;
    };
    const knownAnswers = await answers(known.app, user.email);
    const unknownAnswers = await answers(unknown.app, 'nobody-at-all@example.com');
    expect(unknownAnswers).toEqual(knownAnswers);
    expect(knownAnswers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect(unknownOperations).toEqual(knownOperations);
  });
});

describe('registration and refresh limits', () => {
  const policy: RateLimitPolicy = {
    ...defaultRateLimitPolicy,
    registrationsPerIp: { limit: 2, windowSeconds: 3600 },
    refreshesPerIp: { limit: 4, windowSeconds: 60 },
    refreshesPerSession: { limit: 2, windowSeconds: 60 },
  };
  const t = useTestKeycard({ rateLimits: policy });

  function register(remoteAddress: string) {
    return t.app.inject({
      method: 'POST',
      url: '/auth',
      payload: { email: uniqueEmail(), password: PASSWORD },
      remoteAddress,
    });
  }

  it('limits registrations per address', async () => {
    expect((await register(CLIENT)).statusCode).toBe(201);
    t.clock.advance(10 * MINUTE);
    expect((await register(CLIENT)).statusCode).toBe(201);
    expectRateLimited(await register(CLIENT), 50 * 60);
    expect((await register('192.0.2.77')).statusCode).toBe(201);
    t.clock.advance(50 * MINUTE);
    expect((await register(CLIENT)).statusCode).toBe(201);
  });

  it('limits refresh attempts per address, whatever their outcome', async () => {
    for (let attempt = 0; attempt < 4; attempt += 1) {
      expect(errorOf(await refresh(t.app, 'not-a-token', '203.0.113.5')).code).toBe('refresh_token_invalid');
    }
    expectRateLimited(await refresh(t.app, 'not-a-token', '203.0.113.5'), 60);
    expect(errorOf(await refresh(t.app, 'not-a-token', '203.0.113.6')).code).toBe('refresh_token_invalid');
  });

  it('limits refreshes per session, counting only genuine ones', async () => {
    const signedIn = await registerUser(t.app);
    const session = signedIn.session.uuid;
    // Forged tokens naming the session, from many addresses, spend none of its budget.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const forged = await refresh(t.app, `${session}.0.${'A'.repeat(43)}`, `198.51.100.${attempt}`);
      expect(errorOf(forged).code).toBe('refresh_token_invalid');
    }
    let tokens = signedIn.tokens;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await refresh(t.app, tokens.refresh_token, `203.0.113.${attempt}`);
      expect(response.statusCode).toBe(200);
      const next = response.json<SignedInJson>().tokens;
      if (attempt === 0) {
        // Two tabs racing: the grace retry returns the same pair and spends none of the budget.
        const retry = await refresh(t.app, tokens.refresh_token, '203.0.113.8');
        expect(retry.statusCode).toBe(200);
        expect(retry.json<SignedInJson>().tokens).toEqual(next);
      }
      tokens = next;
    }
    expectRateLimited(await refresh(t.app, tokens.refresh_token, '203.0.113.9'), 60);
    t.clock.advance(MINUTE);
    expect((await refresh(t.app, tokens.refresh_token, '203.0.113.9')).statusCode).toBe(200);
  });
});

describe('invalid access tokens per address', () => {
  const policy: RateLimitPolicy = {
    ...defaultRateLimitPolicy,
    tokenFailuresPerIp: { limit: 3, windowSeconds: 60 },
  };
  const t = useTestKeycard({ rateLimits: policy });
  const me = (accessToken: string, remoteAddress = CLIENT) =>
    t.app.inject({
      method: 'GET',
      url: '/me',
      headers: { authorization: `Bearer ${accessToken}` },
      remoteAddress,
    });
  const forged = () => `${randomUUID()}.${'A'.repeat(43)}`;

  it('refuses an address after 3 invalid tokens, before any store read; others, and valid cached tokens, go on', async () => {
    const signedIn = await registerUser(t.app);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect(errorOf(await me(forged())).code).toBe('token_invalid');
    }
    const reads = vi.spyOn(t.store, 'findSessionAndUser');
    expectRateLimited(await me(forged()), 60);
    expect(reads).not.toHaveBeenCalled();
    // A valid token the cache holds is answered from memory, as ever; another address is not concerned.
    expect((await me(signedIn.tokens.access_token)).statusCode).toBe(200);
    expect(errorOf(await me(forged(), '192.0.2.99')).code).toBe('token_invalid');
    t.clock.advance(MINUTE);
    expect(errorOf(await me(forged())).code).toBe('token_invalid');
  });

  it('counts only invalid tokens: expired access tokens and revoked sessions are legitimate clients', async () => {
    const signedIn = await registerUser(t.app);
    const other = await registerUser(t.app);
    await t.app.inject({
      method: 'POST',
      url: '/auth/sign_out',
      headers: { authorization: `Bearer ${other.tokens.access_token}` },
    });
    t.clock.advance(2 * 3600_000);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect(errorOf(await me(signedIn.tokens.access_token)).code).toBe('access_token_expired');
      expect(errorOf(await me(other.tokens.access_token)).code).toBe('session_revoked');
    }
  });
});

describe('client addresses behind a proxy', () => {
  const policy: RateLimitPolicy = { ...defaultRateLimitPolicy, signInPerIp: { limit: 1, windowSeconds: 60 } };

  describe('not trusted (the default)', () => {
    const t = useTestKeycard({ rateLimits: policy });

    it('ignores X-Forwarded-For, so a client cannot pose as many', async () => {
      await signIn(t.app, uniqueEmail(), PASSWORD, CLIENT, { 'x-forwarded-for': '198.51.100.1' });
      const second = await signIn(t.app, uniqueEmail(), PASSWORD, CLIENT, {
        'x-forwarded-for': '198.51.100.2',
      });
      expectRateLimited(second, 60);
    });
  });

  describe('trusted', () => {
    const t = useTestKeycard({ rateLimits: policy }, { app: { trustProxy: ['10.0.0.0/8'] } });

    it('counts by the client address the proxy forwarded', async () => {
      const viaProxy = (client: string) =>
        signIn(t.app, uniqueEmail(), PASSWORD, '10.1.2.3', { 'x-forwarded-for': client });
      expect((await viaProxy('198.51.100.1')).statusCode).toBe(401);
      expect((await viaProxy('198.51.100.2')).statusCode).toBe(401);
      expectRateLimited(await viaProxy('198.51.100.1'), 60);
    });
  });
});

describe('without a rate limit policy (most tests, and KEYCARD_RATE_LIMITS=off)', () => {
  const t = useTestKeycard();

  it('never locks an account out', async () => {
    const { user } = await registerUser(t.app);
    await failSignIns(t.app, user.email, 8);
    expect((await signIn(t.app, user.email, PASSWORD)).statusCode).toBe(200);
  });
});
