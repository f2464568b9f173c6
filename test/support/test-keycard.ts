import { afterEach, beforeEach, vi } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { ManualClock } from '../../src/core/clock.js';
import type { KeycardEvent } from '../../src/core/keycard-events.js';
import { type AppOptions, buildApp } from '../../src/http/app.js';
import { createKeycard, type Keycard, type KeycardOptions } from '../../src/keycard.js';
import type { AttemptCounter } from '../../src/rate-limits/attempt-counter.js';
import type { KeycardStore } from '../../src/store/kysely/kysely-store.js';
import { PASSWORD, testOptions } from './test-options.js';
import { createTestStore } from './test-store.js';

export { PASSWORD, TEST_SECRET, testOptions } from './test-options.js';

export interface TestKeycard {
  readonly keycard: Keycard;
  readonly store: KeycardStore;
  readonly clock: ManualClock;
  readonly app: FastifyInstance;
  /** Every event the Keycard emitted, in order. */
  readonly events: KeycardEvent[];
  close(): Promise<void>;
}

/**
 * What a test may turn on beyond the defaults, which keep no audit log (rate limits are off unless the options
 * name `rateLimits`): most tests sign in many times from one address and count statements.
 */
export interface TestKeycardExtras {
  /** Keep the audit log in the test store. */
  readonly auditLog?: boolean;
  /** Where rate-limit counters live; default: in memory, on the manual clock. */
  readonly attemptCounter?: AttemptCounter;
  readonly app?: AppOptions;
}

/** A Keycard on a fresh store of the kind under test (`KEYCARD_TEST_STORE`) with a manual clock, and its HTTP app (not listening). */
export async function createTestKeycard(
  overrides: Partial<KeycardOptions> = {},
  extras: TestKeycardExtras = {},
): Promise<TestKeycard> {
  const store = await createTestStore();
  const clock = new ManualClock();
  const events: KeycardEvent[] = [];
  const keycard = createKeycard(
    {
      store,
      clock,
      onEvent: (event) => events.push(event),
      ...(extras.auditLog === true ? { auditLog: store } : {}),
      ...(extras.attemptCounter === undefined ? {} : { attemptCounter: extras.attemptCounter }),
    },
    { ...testOptions, ...overrides },
  );
  const app = await buildApp(keycard, extras.app);
  return {
    keycard,
    store,
    clock,
    app,
    events,
    async close() {
      await app.close();
      await keycard.close();
    },
  };
}

export interface TokensJson {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  refresh_expires_in: number;
}

export interface SignedInJson {
  user: { uuid: string; email: string; version: string; created_at: string };
  session: { uuid: string; api_version: string; remember: boolean; expires_at: string };
  tokens: TokensJson;
}

let counter = 0;

/** A unique email for this test run. */
export function uniqueEmail(): string {
  counter += 1;
  return `user${counter}-${process.pid}@example.com`;
}

export async function registerUser(
  app: FastifyInstance,
  body: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<SignedInJson> {
  const response = await app.inject({
    method: 'POST',
    url: '/auth',
    headers,
    payload: { email: uniqueEmail(), password: PASSWORD, ...body },
  });
  if (response.statusCode !== 201) throw new Error(`registration failed: ${response.body}`);
  return response.json<SignedInJson>();
}

export function bearer(accessToken: string): Record<string, string> {
  return { authorization: `Bearer ${accessToken}` };
}

export function errorCodeOf(response: LightMyRequestResponse): string | undefined {
  return response.json<{ error?: { code?: string } }>().error?.code;
}

export interface SessionListItemJson {
  uuid: string;
  api_version: string;
  user_agent: string | null;
  device: { browser: string | null; os: string | null };
  created_at: string;
  updated_at: string;
  current: boolean;
}

/** Signs in over HTTP with `PASSWORD`; throws unless it answers 200. */
export async function signInUser(
  app: FastifyInstance,
  email: string,
  body: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<SignedInJson> {
  const response = await app.inject({
    method: 'POST',
    url: '/auth/sign_in',
    headers,
    payload: { email, password: PASSWORD, ...body },
  });
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.body}`);
  return response.json<SignedInJson>();
}

/** GET /sessions as the holder of `accessToken`; throws unless it answers 200. */
export async function listSessionsOf(
  app: FastifyInstance,
  accessToken: string,
): Promise<SessionListItemJson[]> {
  const response = await app.inject({ method: 'GET', url: '/sessions', headers: bearer(accessToken) });
  if (response.statusCode !== 200) throw new Error(`listing sessions failed: ${response.body}`);
  return response.json<{ sessions: SessionListItemJson[] }>().sessions;
}

/** The `error` member of an error response. */
export function errorOf(response: LightMyRequestResponse): {
  code?: string;
  message?: string;
  field?: string;
  reason?: string;
} {
  return (
    response.json<{ error?: { code?: string; message?: string; field?: string; reason?: string } }>().error ??
    {}
  );
}

/**
 * A fresh `TestKeycard` for every test of the calling file (or describe block): created before each test,
 * closed after it. The returned object always points at the current test's instance.
 */
export function useTestKeycard(
  overrides: Partial<KeycardOptions> = {},
  extras: TestKeycardExtras = {},
): TestKeycard {
  let current: TestKeycard | undefined;
  beforeEach(async () => {
    current = await createTestKeycard(overrides, extras);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await current?.close();
    current = undefined;
  });
  const now = (): TestKeycard => {
    if (current === undefined) throw new Error('useTestKeycard() is only usable inside a test');
    return current;
  };
  return {
    get keycard() {
      return now().keycard;
    },
    get store() {
      return now().store;
    },
    get clock() {
      return now().clock;
    },
    get app() {
      return now().app;
    },
    get events() {
      return now().events;
    },
    close: () => now().close(),
  };
}

/** Refreshes `tokens` (expecting success) and returns the new pair. */
export async function refreshTokens(app: FastifyInstance, tokens: TokensJson): Promise<TokensJson> {
  const response = await app.inject({
    method: 'POST',
    url: '/session/refresh',
    payload: { refresh_token: tokens.refresh_token },
  });
  if (response.statusCode !== 200) throw new Error(`refresh failed: ${response.body}`);
  return response.json<{ tokens: TokensJson }>().tokens;
}

/**
 * A registered user made administrator from the domain (as the command line makes one), with an elevated
 * session: the user (with the refreshed tokens) and that session's access token.
 */
export async function elevatedAdmin(t: TestKeycard): Promise<{ admin: SignedInJson; token: string }> {
  const admin = await registerUser(t.app);
  await t.keycard.admin.access.setUserRole(admin.user.uuid, 'admin', true);
  const tokens = await refreshTokens(t.app, admin.tokens);
  const elevate = await t.app.inject({
    method: 'POST',
    url: '/session/elevate',
    headers: bearer(tokens.access_token),
    payload: { password: PASSWORD },
  });
  if (elevate.statusCode !== 200) throw new Error(`elevation failed: ${elevate.body}`);
  return { admin: { ...admin, tokens }, token: tokens.access_token };
}
