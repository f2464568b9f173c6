import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/http/create-logger.js';
import { createKeycard, type Keycard } from '../../src/keycard.js';
import { createKeycardMetrics } from '../../src/observability/keycard-metrics.js';
import type { KeycardStore } from '../../src/store/kysely/kysely-store.js';
import { hashSecret } from '../../src/tokens/opaque-secret.js';
import { bearer, PASSWORD, type SignedInJson, TEST_SECRET, testOptions } from '../support/test-keycard.js';
import { createTestStore } from '../support/test-store.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const WRONG_PASSWORD = 'battery staple horse correct';
const EMAIL = 'logs@example.com';

interface LoggedApp {
  readonly app: FastifyInstance;
  readonly keycard: Keycard;
  readonly store: KeycardStore;
  readonly clock: ManualClock;
  /** Every line the logger wrote. */
  readonly lines: string[];
}

let current: LoggedApp | undefined;

afterEach(async () => {
  await current?.app.close();
  await current?.keycard.close();
  current = undefined;
});

/** A Keycard app whose logger writes every line, at `trace`, to memory. */
async function createLoggedApp(): Promise<LoggedApp> {
  const lines: string[] = [];
  const logger = createLogger('trace', { write: (line: string) => void lines.push(line) });
  const store = await createTestStore('sqlite');
  const clock = new ManualClock();
  const metrics = createKeycardMetrics({ countSessions: () => store.countSessions() });
  const keycard = createKeycard(
    { store, clock, onEvent: (event) => metrics.recordEvent(event), cacheCounters: metrics.cacheCounters },
    testOptions,
  );
  const app = await buildApp(keycard, { logger, metrics, metricsToken: METRICS_TOKEN });
  current = { app, keycard, store, clock, lines };
  return current;
}

describe('log lines', () => {
  it('never hold a token, its secret half or hash, a password, a password hash or a server secret', async () => {
    const { app, store, clock, lines } = await createLoggedApp();
    const secrets = new Set<string>([PASSWORD, WRONG_PASSWORD, TEST_SECRET.toString('utf8'), METRICS_TOKEN]);
    const send = async (options: InjectOptions) => (await app.inject(options)).statusCode;
    const remember = (signedIn: { tokens: { access_token: string; refresh_token: string } }) => {
      for (const token of [signedIn.tokens.access_token, signedIn.tokens.refresh_token]) {
        const secretHalf = token.slice(token.lastIndexOf('.') + 1);
        for (const secret of [token, secretHalf, hashSecret(secretHalf)]) secrets.add(secret);
      }
      return signedIn.tokens;
    };

    const registered = await app.inject({
      method: 'POST',
      url: '/auth',
      payload: { email: EMAIL, password: PASSWORD },
    });
    expect(registered.statusCode).toBe(201);
    const first = remember(registered.json<SignedInJson>());
    const signIn = await app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email: EMAIL, password: PASSWORD, remember: false },
    });
    const second = remember(signIn.json<SignedInJson>());
    expect(
      await send({
        method: 'POST',
        url: '/auth/sign_in',
        payload: { email: EMAIL, password: WRONG_PASSWORD },
      }),
    ).toBe(401);
    expect(await send({ method: 'GET', url: '/me', headers: bearer(first.access_token) })).toBe(200);

    // A careless client puts tokens and passwords everywhere but where they belong.
    const misplaced: InjectOptions[] = [
      { method: 'GET', url: `/me?access_token=${first.access_token}` },
      { method: 'POST', url: `/session/refresh?refresh_token=${first.refresh_token}`, payload: {} },
      { method: 'GET', url: `/sessions/${first.access_token}` },
      { method: 'GET', url: `/me/${encodeURIComponent(first.refresh_token)}` },
      {
        method: 'POST',
        url: '/auth/sign_in',
        payload: { email: EMAIL, password: PASSWORD, token: first.access_token },
      },
      {
        method: 'DELETE',
        url: '/sessions',
        headers: bearer(first.access_token),
        payload: { uuid: first.refresh_token },
      },
      {
        method: 'POST',
        url: '/session/refresh',
        headers: { 'content-type': 'application/json' },
        payload: `{"refresh_token": "${first.refresh_token}"`,
      },
      {
        method: 'POST',
        url: '/auth',
        headers: { 'content-type': 'text/plain' },
        payload: `${EMAIL}:${PASSWORD}`,
      },
      {
        method: 'POST',
        url: '/session/refresh',
        payload: { refresh_token: first.refresh_token, padding: 'x'.repeat(17_000) },
      },
      {
        method: 'GET',
        url: '/me',
        headers: { authorization: `Basic ${Buffer.from(`${EMAIL}:${PASSWORD}`).toString('base64')}` },
      },
      { method: 'GET', url: '/me', headers: { authorization: `Bearer ${first.refresh_token}` } },
      { method: 'GET', url: '/metrics', headers: bearer('wrong-metrics-token-0123456789') },
    ];
    for (const options of misplaced) expect(await send(options)).toBeGreaterThanOrEqual(400);
    expect(await send({ method: 'GET', url: '/metrics', headers: bearer(METRICS_TOKEN) })).toBe(200);

    // Refresh, a grace retry, then reuse after the grace period (the session is revoked).
    const refreshed = await app.inject({
      method: 'POST',
      url: '/session/refresh',
      payload: { refresh_token: first.refresh_token },
    });
    remember(refreshed.json<SignedInJson>());
    expect(
      await send({
        method: 'POST',
        url: '/session/refresh',
        payload: { refresh_token: first.refresh_token },
      }),
    ).toBe(200);
    clock.advance(60_000);
    expect(
      await send({
        method: 'POST',
        url: '/session/refresh',
        payload: { refresh_token: first.refresh_token },
      }),
    ).toBe(401);

    // A driver error that quotes what it was given (as PostgreSQL's `detail` does) becomes a logged 500.
    const findSessionAndUser = store.findSessionAndUser.bind(store);
    store.findSessionAndUser = () =>
      Promise.reject(
        Object.assign(new Error('lookup failed'), { detail: `Key (hash)=(${[...secrets].join()})` }),
      );
    const uncached = `${randomUUID()}.${'A'.repeat(43)}`;
    expect(await send({ method: 'GET', url: '/me', headers: bearer(uncached) })).toBe(500);
    store.findSessionAndUser = findSessionAndUser;
    expect(lines.some((line) => line.includes('lookup failed'))).toBe(true);

    expect(await send({ method: 'DELETE', url: '/sessions', headers: bearer(second.access_token) })).toBe(
      204,
    );
    expect(await send({ method: 'POST', url: '/auth/sign_out', headers: bearer(second.access_token) })).toBe(
      204,
    );
    expect(await send({ method: 'GET', url: '/me', headers: bearer(second.access_token) })).toBe(401);
    const user = await store.findUserByEmail(EMAIL);
    if (user !== undefined) secrets.add(user.passwordHash);

    // What the HTTP parser refuses before Fastify routes it still carries its raw bytes (headers included).
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    await new Promise<void>((resolve) => {
      const socket = connect(address.port, '127.0.0.1', () => {
        socket.end(
          `GET /me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${second.access_token}\r\nBad header\r\n\r\n`,
        );
      });
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
      socket.resume();
    });

    expect(secrets.size).toBeGreaterThan(15);
    expect(lines.length).toBeGreaterThan(40);
    expect(lines.some((line) => line.includes('"reqId"'))).toBe(true);
    expect(lines.some((line) => line.includes('[redacted]'))).toBe(true);
    for (const line of lines) {
      for (const secret of secrets) {
        if (line.includes(secret)) throw new Error(`a log line holds a secret:\n${line}`);
      }
    }
  });
});
