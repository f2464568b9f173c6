import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { defaultRateLimitPolicy } from '../src/core/rate-limit-policy.js';
import { requirePermission } from '../src/http/guards.js';
import { ACCESS_COOKIE, cookieHeader, PAGE_HEADERS, sessionCookiesOf } from './support/browser-requests.js';
import {
  bearer,
  errorOf,
  PASSWORD,
  registerUser,
  type TokensJson,
  useTestKeycard,
} from './support/test-keycard.js';

const DAY_MS = 86_400_000;
const UUID = expect.stringMatching(
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
) as string;

/** What `POST /auth/anonymous` answers. */
export interface AnonymousJson {
  session: {
    uuid: string;
    anonymous_id: string;
    api_version: string;
    created_at: string;
    remember: boolean;
    expires_at: string;
    user_agent: string | null;
  };
  tokens: TokensJson;
}

const t = useTestKeycard();

function startAnonymous(options: { payload?: unknown; headers?: Record<string, string> } = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/auth/anonymous',
    headers: options.headers ?? {},
    ...(options.payload === undefined ? {} : { payload: options.payload as Record<string, unknown> }),
  });
}

async function anonymous(): Promise<AnonymousJson> {
  const response = await startAnonymous();
  expect(response.statusCode).toBe(201);
  return response.json<AnonymousJson>();
}

function me(accessToken: string) {
  return t.app.inject({ method: 'GET', url: '/me', headers: bearer(accessToken) });
}

function refresh(refreshToken: string) {
  return t.app.inject({
    method: 'POST',
    url: '/session/refresh',
    payload: { refresh_token: refreshToken },
  });
}

function expectError(response: LightMyRequestResponse, status: number, code: string) {
  expect(response.statusCode).toBe(status);
  expect(errorOf(response).code).toBe(code);
}

describe('POST /auth/anonymous', () => {
  it('starts a session with no user, a new anonymous id and tokens, in the anonymous lifetime class', async () => {
    const response = await startAnonymous({ headers: { 'user-agent': 'guest-agent/1.0' } });
    expect(response.statusCode).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json<AnonymousJson>();
    expect(Object.keys(body).sort()).toEqual(['session', 'tokens']);
    expect(body.session).toEqual({
      uuid: UUID,
      anonymous_id: UUID,
      api_version: '20200115',
      user_agent: 'guest-agent/1.0',
      created_at: new Date(t.clock.now()).toISOString(),
      updated_at: new Date(t.clock.now()).toISOString(),
      // The test Keycard's anonymous class: 3 days idle (its long class is 7).
      expires_at: new Date(t.clock.now() + 3 * DAY_MS).toISOString(),
      remember: false,
    });
    expect(body.session.anonymous_id).not.toBe(body.session.uuid);
    expect(body.tokens).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_expires_in: 3 * 86_400,
    });

    const stored = await t.store.findSession(body.session.uuid);
    expect(stored).toMatchObject({ userUuid: null, anonymousId: body.session.anonymous_id, remember: false });
    expect(stored?.expiresAt).toBe(t.clock.now() + 30 * DAY_MS);
    expect(t.events.at(-1)).toMatchObject({
      type: 'anonymous_session_started',
      sessionUuid: body.session.uuid,
    });
  });

  it('takes no body, an empty one, or only the transport and the API version, which it records', async () => {
    expect((await startAnonymous()).statusCode).toBe(201);
    expect((await startAnonymous({ payload: {} })).statusCode).toBe(201);
    const older = await startAnonymous({ payload: { api: '20190520', transport: 'bearer' } });
    expect(older.statusCode).toBe(201);
    expect(older.json<AnonymousJson>().session.api_version).toBe('20190520');
    const byHeader = await startAnonymous({ headers: { 'x-api-version': '20190520' } });
    expect(byHeader.json<AnonymousJson>().session.api_version).toBe('20190520');
  });

  it('gives every caller a session and an anonymous id of its own', async () => {
    const [first, second] = [await anonymous(), await anonymous()];
    expect(second.session.uuid).not.toBe(first.session.uuid);
    expect(second.session.anonymous_id).not.toBe(first.session.anonymous_id);
  });

  it.each([
    ['credentials', { email: 'guest@example.com', password: PASSWORD }, 'email'],
    ['remember', { remember: true }, 'remember'],
    ['an unknown transport', { transport: 'pigeon' }, 'transport'],
    ['a numeric api', { api: 20200115 }, 'api'],
  ])('refuses %s with invalid_request, and starts nothing', async (_label, payload, field) => {
    const response = await startAnonymous({ payload });
    expectError(response, 400, 'invalid_request');
    expect(errorOf(response).field).toBe(field);
    expect(await t.store.countSessions()).toBe(0);
  });

  it('refuses malformed JSON, other media types and unsupported API versions', async () => {
    const malformed = await startAnonymous({
      payload: '{"transport":',
      headers: { 'content-type': 'application/json' },
    });
    expectError(malformed, 400, 'invalid_request');
    const form = await startAnonymous({
      payload: 'transport=cookie',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectError(form, 415, 'unsupported_media_type');
    expectError(
      await startAnonymous({ headers: { 'x-api-version': '20010101' } }),
      400,
      'unsupported_api_version',
    );
    expect(await t.store.countSessions()).toBe(0);
  });

  it('sets the tokens as cookies for a page of a trusted origin, and refuses a cookie request without the CSRF check', async () => {
    const refused = await startAnonymous({
      payload: { transport: 'cookie' },
      headers: { host: PAGE_HEADERS.host },
    });
    expectError(refused, 403, 'csrf_rejected');
    expect(refused.cookies).toEqual([]);
    expect(await t.store.countSessions()).toBe(0);

    const response = await startAnonymous({ payload: { transport: 'cookie' }, headers: PAGE_HEADERS });
    expect(response.statusCode).toBe(201);
    expect(Object.keys(response.json<object>())).toEqual(['session']);
    const cookies = sessionCookiesOf(response);
    const viaCookie = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: { ...PAGE_HEADERS, cookie: cookieHeader(cookies) },
    });
    expect(viaCookie.statusCode).toBe(200);
    expect(viaCookie.json<{ user: unknown }>().user).toBeNull();
  });
});

describe('what an anonymous session may do', () => {
  it('GET /me: no user, its session and anonymous id, no roles, no permissions', async () => {
    const started = await anonymous();
    const response = await me(started.tokens.access_token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      user: null,
      session: started.session,
      roles: [],
      permissions: [],
      elevated_until: null,
    });
    // Answered from memory the second time, the same body.
    expect((await me(started.tokens.access_token)).json()).toEqual(response.json());
  });

  it('refreshes like any session: both tokens rotate, the anonymous id stays, the idle expiry slides', async () => {
    const started = await anonymous();
    t.clock.advance(DAY_MS);
    const response = await refresh(started.tokens.refresh_token);
    expect(response.statusCode).toBe(200);
    const refreshed = response.json<{ session: AnonymousJson['session']; tokens: TokensJson }>();
    expect(refreshed.session).toMatchObject({
      uuid: started.session.uuid,
      anonymous_id: started.session.anonymous_id,
      expires_at: new Date(t.clock.now() + 3 * DAY_MS).toISOString(),
    });
    expect(refreshed.tokens.refresh_token).not.toBe(started.tokens.refresh_token);
    expectError(await me(started.tokens.access_token), 401, 'token_invalid');
    expect((await me(refreshed.tokens.access_token)).json<{ user: unknown }>().user).toBeNull();
    // A used refresh token after its grace period is reuse, as for any session.
    t.clock.advance(60_000);
    expectError(await refresh(started.tokens.refresh_token), 401, 'refresh_token_reused');
    expect(errorOf(await me(refreshed.tokens.access_token)).reason).toBe('refresh_reuse');
  });

  it('signs out (either scope): its tokens are refused with the reason, and the feed hears of it', async () => {
    const heard: string[] = [];
    t.keycard.revocations.subscribe((message) => {
      if (message.kind === 'ended') heard.push(...message.sessions);
    });
    for (const payload of [undefined, { scope: 'all' }]) {
      const started = await anonymous();
      const signedOut = await t.app.inject({
        method: 'POST',
        url: '/auth/sign_out',
        headers: bearer(started.tokens.access_token),
        ...(payload === undefined ? {} : { payload }),
      });
      expect(signedOut.statusCode).toBe(204);
      const after = await me(started.tokens.access_token);
      expectError(after, 401, 'session_revoked');
      expect(errorOf(after).reason).toBe('sign_out');
      expectError(await refresh(started.tokens.refresh_token), 401, 'session_revoked');
      expect(heard).toContain(started.session.uuid);
    }
  });

  it.each([
    ['GET', '/sessions', undefined],
    ['DELETE', '/session', { uuid: '00000000-0000-4000-8000-000000000000' }],
    ['DELETE', '/sessions', undefined],
    ['POST', '/session/elevate', { password: PASSWORD }],
    ['DELETE', '/session/elevate', undefined],
    ['PUT', '/me/password', { current_password: PASSWORD, new_password: 'another horse battery' }],
    ['PUT', '/me/email', { email: 'guest@example.com', password: PASSWORD }],
    ['DELETE', '/me', { password: PASSWORD }],
    ['GET', '/me/events', undefined],
    ['POST', '/session/token', { audience: 'billing' }],
    ['GET', '/admin/roles', undefined],
  ] as const)(
    '%s %s needs an account: 403 account_required, and the session goes on',
    async (method, url, payload) => {
      const started = await anonymous();
      const response = await t.app.inject({
        method,
        url,
        headers: bearer(started.tokens.access_token),
        ...(payload === undefined ? {} : { payload }),
      });
      expectError(response, 403, 'account_required');
      expect(errorOf(response).message).toMatch(/account/);
      expect((await me(started.tokens.access_token)).statusCode).toBe(200);
    },
  );

  it('is refused by the guards an embedding app puts on its own routes', async () => {
    t.app.get('/notes', { preHandler: requirePermission('notes:read') }, () => ({ notes: [] }));
    const started = await anonymous();
    expectError(
      await t.app.inject({ method: 'GET', url: '/notes', headers: bearer(started.tokens.access_token) }),
      403,
      'account_required',
    );
  });

  it('is refused by cookie as by Bearer, and its cookies are kept (the session is fine)', async () => {
    const response = await startAnonymous({ payload: { transport: 'cookie' }, headers: PAGE_HEADERS });
    const refused = await t.app.inject({
      method: 'GET',
      url: '/sessions',
      headers: { ...PAGE_HEADERS, cookie: cookieHeader(sessionCookiesOf(response)) },
    });
    expectError(refused, 403, 'account_required');
    expect(refused.cookies.map((cookie) => (cookie as { name: string }).name)).not.toContain(ACCESS_COOKIE);
  });
});

describe('the lifetime of anonymous sessions', () => {
  it('ends after the anonymous idle timeout, and the sweep moves it out', async () => {
    const idle = await anonymous();
    const busy = await anonymous();
    // A user's long session (7 days idle), as idle as the first one, outlives it.
    const user = await registerUser(t.app);
    t.clock.advance(2 * DAY_MS);
    const refreshed = (await refresh(busy.tokens.refresh_token)).json<{ tokens: TokensJson }>();
    t.clock.advance(DAY_MS + 1000);
    expect((await t.keycard.sweep()).expired).toBe(1);
    expectError(await refresh(idle.tokens.refresh_token), 401, 'session_expired');
    expect((await refresh(refreshed.tokens.refresh_token)).statusCode).toBe(200);
    expect((await refresh(user.tokens.refresh_token)).statusCode).toBe(200);
  });

  it('ends at the anonymous absolute lifetime, however active', async () => {
    const started = await anonymous();
    let tokens = started.tokens;
    for (let day = 2; day < 30; day += 2) {
      t.clock.advance(2 * DAY_MS);
      const response = await refresh(tokens.refresh_token);
      expect(response.statusCode).toBe(200);
      tokens = response.json<{ tokens: TokensJson }>().tokens;
    }
    t.clock.advance(2 * DAY_MS); // 30 days after it began
    expectError(await refresh(tokens.refresh_token), 401, 'session_expired');
  });
});

describe('anonymous sessions beside users’ sessions', () => {
  it('are listed and revoked by administrators with no user, and never in a user’s sessions', async () => {
    const user = await registerUser(t.app);
    const started = await anonymous();
    const all = await t.store.listSessions({}, 10);
    expect(all.map((session) => [session.uuid, session.userUuid, session.anonymousId])).toEqual(
      expect.arrayContaining([
        [user.session.uuid, user.user.uuid, null],
        [started.session.uuid, null, started.session.anonymous_id],
      ]),
    );
    expect((await t.store.listSessions({ userUuid: user.user.uuid }, 10)).map((s) => s.uuid)).toEqual([
      user.session.uuid,
    ]);
    expect(await t.keycard.admin.revokeSessions({})).toBe(2);
    expect(errorOf(await me(started.tokens.access_token)).reason).toBe('revoked_by_admin');
  });

  it('are counted as sessions, and ended with a user’s sessions by nothing a user does', async () => {
    const user = await registerUser(t.app);
    const started = await anonymous();
    expect(await t.store.countSessions()).toBe(2);
    const everywhere = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_out',
      headers: bearer(user.tokens.access_token),
      payload: { scope: 'all' },
    });
    expect(everywhere.statusCode).toBe(204);
    expect((await me(started.tokens.access_token)).statusCode).toBe(200);
  });
});

describe('rate limit', () => {
  const limited = useTestKeycard({
    rateLimits: { ...defaultRateLimitPolicy, anonymousSessionsPerIp: { limit: 2, windowSeconds: 3600 } },
  });

  it('limits anonymous sessions per client address, before anything is stored', async () => {
    const from = (remoteAddress: string) =>
      limited.app.inject({ method: 'POST', url: '/auth/anonymous', remoteAddress });
    expect((await from('192.0.2.1')).statusCode).toBe(201);
    limited.clock.advance(10 * 60_000);
    expect((await from('192.0.2.1')).statusCode).toBe(201);
    const refused = await from('192.0.2.1');
    expectError(refused, 429, 'rate_limited');
    expect(refused.headers['retry-after']).toBe(String(50 * 60));
    expect(await limited.store.countSessions()).toBe(2);
    expect((await from('192.0.2.2')).statusCode).toBe(201);
    limited.clock.advance(50 * 60_000);
    expect((await from('192.0.2.1')).statusCode).toBe(201);
  });
});
