import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/core/clock.js';
import { loadConfig } from '../src/core/config.js';
import type { KeycardEvent } from '../src/core/keycard-events.js';
import { buildApp } from '../src/http/app.js';
import { createKeycard, type Keycard } from '../src/keycard.js';
import { buildMetricsApp } from '../src/observability/build-metrics-app.js';
import { createKeycardMetrics, type KeycardMetrics } from '../src/observability/keycard-metrics.js';
import { startServer } from '../src/server.js';
import type { KeycardStore } from '../src/store/kysely/kysely-store.js';
import { pino } from 'pino';
import {
  bearer,
  errorCodeOf,
  PASSWORD,
  registerUser,
  type SignedInJson,
  TEST_SECRET,
  testOptions,
} from './support/test-keycard.js';
import { createTestStore } from './support/test-store.js';

const TOKEN = 'scrape-token-0123456789abcdef';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface MeteredKeycard {
  readonly app: FastifyInstance;
  readonly keycard: Keycard;
  readonly store: KeycardStore;
  readonly clock: ManualClock;
  readonly metrics: KeycardMetrics;
  readonly events: KeycardEvent[];
}

/** `metricsToken` null: GET /metrics not served on the app. */
async function createMeteredKeycard(metricsToken: string | null = TOKEN): Promise<MeteredKeycard> {
  const store = await createTestStore();
  const clock = new ManualClock();
  const metrics = createKeycardMetrics({
    countSessions: () => store.countSessions(),
    now: () => clock.now(),
  });
  const events: KeycardEvent[] = [];
  const keycard = createKeycard(
    {
      store,
      clock,
      // Several listeners: the metrics and this test's own record.
      onEvent: [(event) => metrics.recordEvent(event), (event) => events.push(event)],
      cacheCounters: metrics.cacheCounters,
    },
    testOptions,
  );
  const app = await buildApp(keycard, {
    metrics,
    ...(metricsToken === null ? {} : { metricsToken }),
  });
  cleanups.push(
    () => keycard.close(),
    () => app.close(),
  );
  return { app, keycard, store, clock, metrics, events };
}

/** Parses the text exposition into `name{labels}` → value. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

async function scrape(app: FastifyInstance): Promise<Map<string, number>> {
  const response = await app.inject({ method: 'GET', url: '/metrics', headers: bearer(TOKEN) });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(response.body);
}

function signIn(app: FastifyInstance, email: string, password = PASSWORD, query = '') {
  return app.inject({ method: 'POST', url: `/auth/sign_in${query}`, payload: { email, password } });
}

function expectUnauthorized(response: LightMyRequestResponse, code: string): void {
  expect(response.statusCode).toBe(401);
  expect(errorCodeOf(response)).toBe(code);
  expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
  expect(response.body).not.toContain('keycard_');
}

describe('GET /metrics', () => {
  it('counts what happened: sign-ins, failures, registrations, refreshes, reuse, revocations, requests', async () => {
    const { app, clock, store } = await createMeteredKeycard();
    const registered = await registerUser(app, { email: 'counted@example.com' });
    expect((await signIn(app, 'counted@example.com')).statusCode).toBe(200);
    const second = (await signIn(app, 'counted@example.com', PASSWORD, '?api=20200115')).json<SignedInJson>();
    expect((await signIn(app, 'counted@example.com', 'wrong password')).statusCode).toBe(401);
    expect((await signIn(app, 'nobody@example.com')).statusCode).toBe(401);
    const refresh = () =>
      app.inject({
        method: 'POST',
        url: '/session/refresh',
        payload: { refresh_token: registered.tokens.refresh_token },
      });
    expect((await refresh()).statusCode).toBe(200);
    expect((await refresh()).statusCode).toBe(200); // grace retry
    clock.advance(60_000);
    expect((await refresh()).statusCode).toBe(401); // reuse: the session is revoked
    for (let i = 0; i < 3; i += 1) {
      const me = await app.inject({ method: 'GET', url: '/me', headers: bearer(second.tokens.access_token) });
      expect(me.statusCode).toBe(200);
    }
    await app.inject({ method: 'POST', url: '/auth/sign_out', headers: bearer(second.tokens.access_token) });
    await app.inject({ method: 'GET', url: '/no/such/path/secret-looking-0123456789abcdef' });

    const samples = await scrape(app);
    expect(samples.get('keycard_sign_ins_total{result="succeeded"}')).toBe(2);
    expect(samples.get('keycard_sign_ins_total{result="failed"}')).toBe(2);
    expect(samples.get('keycard_registrations_total')).toBe(1);
    expect(samples.get('keycard_refreshes_total{kind="rotated"}')).toBe(1);
    expect(samples.get('keycard_refreshes_total{kind="grace_retry"}')).toBe(1);
    expect(samples.get('keycard_refresh_reuse_detected_total')).toBe(1);
    expect(samples.get('keycard_sessions_ended_total{reason="refresh_reuse"}')).toBe(1);
    expect(samples.get('keycard_sessions_ended_total{reason="sign_out"}')).toBe(1);
    expect(samples.get('keycard_sessions_ended_total{reason="revoked"}')).toBe(0);
    // Registered (revoked by reuse), signed in twice (one signed out): one session left in the store.
    expect(await store.countSessions()).toBe(1);
    expect(samples.get('keycard_active_sessions')).toBe(1);
    expect(samples.get('keycard_session_cache_lookups_total{result="local_hit"}')).toBeGreaterThanOrEqual(3);
    expect(samples.has('keycard_session_cache_lookups_total{result="store"}')).toBe(true);

    // Requests by route pattern and status, never by raw URL.
    const count = (method: string, route: string, status: number) =>
      samples.get(
        `keycard_http_request_duration_seconds_count{method="${method}",route="${route}",status_code="${status}"}`,
      );
    expect(count('POST', '/auth/sign_in', 200)).toBe(2);
    expect(count('POST', '/auth/sign_in', 401)).toBe(2);
    expect(count('POST', '/session/refresh', 200)).toBe(2);
    expect(count('GET', '/me', 200)).toBe(3);
    expect(count('GET', 'unmatched', 404)).toBe(1);
    const bucket = `keycard_http_request_duration_seconds_bucket{method="GET",route="/me",status_code="200",le="+Inf"}`;
    expect(samples.get(bucket)).toBe(3);
    const text = [...samples.keys()].join('\n');
    expect(text).not.toContain('?api=');
    expect(text).not.toContain('/no/such/path');
    // Node's defaults, event-loop lag among them.
    expect(samples.has('nodejs_eventloop_lag_seconds')).toBe(true);
    expect(samples.has('process_cpu_user_seconds_total')).toBe(true);
  });

  it('counts anonymous sessions started, and those carried over as ended with reason upgraded', async () => {
    const { app } = await createMeteredKeycard();
    const before = await scrape(app);
    expect(before.get('keycard_anonymous_sessions_total')).toBe(0);
    expect(before.get('keycard_sessions_ended_total{reason="upgraded"}')).toBe(0);
    const started = await app.inject({ method: 'POST', url: '/auth/anonymous' });
    await app.inject({ method: 'POST', url: '/auth/anonymous' });
    const { tokens } = started.json<{ tokens: { access_token: string } }>();
    await registerUser(app, {}, bearer(tokens.access_token));
    const after = await scrape(app);
    expect(after.get('keycard_anonymous_sessions_total')).toBe(2);
    expect(after.get('keycard_sessions_ended_total{reason="upgraded"}')).toBe(1);
    expect(after.get('keycard_registrations_total')).toBe(1);
  });

  it('counts each request answered from the in-process cache once, on the fast path and off it', async () => {
    const { app, clock } = await createMeteredKeycard();
    const registered = await registerUser(app);
    const me = () =>
      app.inject({ method: 'GET', url: '/me', headers: bearer(registered.tokens.access_token) });
    expect((await me()).statusCode).toBe(200);
    expect((await me()).statusCode).toBe(200);
    // Activity due: the synchronous path steps aside and the full one answers from the same cached session.
    clock.advance(60_000);
    expect((await me()).statusCode).toBe(200);
    const samples = await scrape(app);
    expect(samples.get('keycard_session_cache_lookups_total{result="local_hit"}')).toBe(3);
    expect(samples.get('keycard_session_cache_lookups_total{result="store"}') ?? 0).toBe(0);
  });

  it('counts the active sessions at most every 15 s, whatever the scrape rate', async () => {
    const { app, clock } = await createMeteredKeycard();
    await registerUser(app);
    expect((await scrape(app)).get('keycard_active_sessions')).toBe(1);
    await registerUser(app);
    expect((await scrape(app)).get('keycard_active_sessions')).toBe(1);
    clock.advance(15_000);
    expect((await scrape(app)).get('keycard_active_sessions')).toBe(2);
  });

  it('requires the token, compared whole', async () => {
    const { app } = await createMeteredKeycard();
    expectUnauthorized(await app.inject({ method: 'GET', url: '/metrics' }), 'token_missing');
    expectUnauthorized(
      await app.inject({ method: 'GET', url: '/metrics', headers: bearer(`${TOKEN}x`) }),
      'token_invalid',
    );
    expectUnauthorized(
      await app.inject({ method: 'GET', url: '/metrics', headers: bearer(TOKEN.slice(0, -1)) }),
      'token_invalid',
    );
    expectUnauthorized(
      await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Basic ${TOKEN}` } }),
      'token_invalid',
    );
    expect((await app.inject({ method: 'GET', url: '/metrics', headers: bearer(TOKEN) })).statusCode).toBe(
      200,
    );
  });

  it('is not served on the API port without a token', async () => {
    const { app } = await createMeteredKeycard(null);
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(404);
    expect(errorCodeOf(response)).toBe('not_found');
  });

  it('on a port of its own, serves the metrics and nothing else', async () => {
    const { metrics } = await createMeteredKeycard(null);
    const open = await buildMetricsApp(metrics, { token: undefined });
    const guarded = await buildMetricsApp(metrics, { token: TOKEN });
    cleanups.push(
      () => open.close(),
      () => guarded.close(),
    );
    expect((await open.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    expect(errorCodeOf(await open.inject({ method: 'GET', url: '/me' }))).toBe('not_found');
    expectUnauthorized(await guarded.inject({ method: 'GET', url: '/metrics' }), 'token_missing');
    expect(
      (await guarded.inject({ method: 'GET', url: '/metrics', headers: bearer(TOKEN) })).statusCode,
    ).toBe(200);
  });
});

describe('keycard serve and metrics', () => {
  async function serve(env: Record<string, string>) {
    const config = loadConfig({ KEYCARD_PORT: '0', KEYCARD_DATABASE_URL: 'sqlite::memory:', ...env });
    const server = await startServer(config, {
      store: await createTestStore(),
      secret: TEST_SECRET,
      logger: pino({ level: 'silent' }),
    });
    cleanups.push(() => server.stop());
    return server;
  }

  it('serves no metrics by default', async () => {
    const server = await serve({});
    expect(server.metricsUrl).toBeUndefined();
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
  });

  it('with KEYCARD_METRICS_PORT, serves them there on 127.0.0.1 (behind the token if set) and not on the API port', async () => {
    const server = await serve({ KEYCARD_METRICS_PORT: '0', KEYCARD_METRICS_TOKEN: TOKEN });
    expect(server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const metricsUrl = server.metricsUrl ?? '';
    expect((await fetch(`${server.url}/metrics`, { headers: bearer(TOKEN) })).status).toBe(404);
    expect((await fetch(metricsUrl)).status).toBe(401);
    await fetch(`${server.url}/health`);
    const response = await fetch(metricsUrl, { headers: bearer(TOKEN) });
    expect(response.status).toBe(200);
    const samples = parseMetrics(await response.text());
    expect(
      samples.get(
        'keycard_http_request_duration_seconds_count{method="GET",route="/health",status_code="200"}',
      ),
    ).toBe(1);
  });

  it('with only KEYCARD_METRICS_TOKEN, serves them on the API port behind it', async () => {
    const server = await serve({ KEYCARD_METRICS_TOKEN: TOKEN });
    expect(server.metricsUrl).toBeUndefined();
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: bearer(TOKEN) })).status).toBe(200);
  });
});
