import { describe, expect, it } from 'vitest';
import {
  bearer,
  useTestKeycard,
  errorOf,
  listSessionsOf,
  PASSWORD,
  registerUser,
  signInUser,
  type SignedInJson,
} from './support/test-keycard.js';

const t = useTestKeycard();

const NEWCOMER = 'newcomer@example.com';
const HOUR_MS = 3600 * 1000;

function post(url: string, payload: unknown, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });
}

describe('POST /auth (registration)', () => {
  it('creates the account and its first session: 201, the tokens, nothing cacheable, no secrets', async () => {
    const response = await post(
      '/auth',
      { email: ' NewComer@Example.com ', password: PASSWORD },
      {
        'user-agent': 'test-agent/1.0',
      },
    );
    expect(response.statusCode).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.json<SignedInJson>();
    expect(Object.keys(body).sort()).toEqual(['session', 'tokens', 'user']);
    expect(body.user).toEqual({
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
      email: NEWCOMER,
      version: '004',
      created_at: new Date(t.clock.now()).toISOString(),
    });
    expect(body.session).toMatchObject({
      api_version: '20200115',
      remember: true,
      user_agent: 'test-agent/1.0',
    });
    expect(body.tokens).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_expires_in: 7 * 86_400,
    });

    const stored = await t.store.findUserByEmail(NEWCOMER);
    expect(stored?.uuid).toBe(body.user.uuid);
    expect(response.body).not.toContain(PASSWORD);
    expect(response.body).not.toContain(stored?.passwordHash);

    const me = await t.app.inject({ method: 'GET', url: '/me', headers: bearer(body.tokens.access_token) });
    expect(me.statusCode).toBe(200);
  });

  it('starts a short-lived session when remember is false', async () => {
    const body = await registerUser(t.app, { remember: false });
    expect(body.session.remember).toBe(false);
    expect(body.tokens.refresh_expires_in).toBe(90 * 60);
    expect(body.session.expires_at).toBe(new Date(t.clock.now() + 90 * 60 * 1000).toISOString());
  });

  it.each([
    ['no email', { password: PASSWORD }, 'invalid_request', 'email'],
    ['no password', { email: NEWCOMER }, 'invalid_request', 'password'],
    ['an empty object', {}, 'invalid_request', 'email'],
    ['an unknown field', { email: NEWCOMER, password: PASSWORD, role: 'admin' }, 'invalid_request', 'role'],
    ['a numeric email', { email: 42, password: PASSWORD }, 'invalid_request', 'email'],
    ['a numeric password', { email: NEWCOMER, password: 12345678901 }, 'invalid_request', 'password'],
    [
      'a string remember',
      { email: NEWCOMER, password: PASSWORD, remember: 'yes' },
      'invalid_request',
      'remember',
    ],
    [
      'a null remember',
      { email: NEWCOMER, password: PASSWORD, remember: null },
      'invalid_request',
      'remember',
    ],
    ['a malformed email', { email: 'newcomer.example.com', password: PASSWORD }, 'invalid_request', 'email'],
    ['an empty password', { email: NEWCOMER, password: '' }, 'password_too_weak', 'password'],
    ['a 7-character password', { email: NEWCOMER, password: 'Zq7#kLm' }, 'password_too_weak', 'password'],
    ['a common password', { email: NEWCOMER, password: 'Password123' }, 'password_too_weak', 'password'],
    [
      'a 1025-character password',
      { email: NEWCOMER, password: 'x'.repeat(1025) },
      'password_too_weak',
      'password',
    ],
    [
      'a 5000-character password',
      { email: NEWCOMER, password: 'x'.repeat(5000) },
      'password_too_weak',
      'password',
    ],
  ])('refuses %s without creating anything', async (_name, payload, code, field) => {
    const response = await post('/auth', payload);
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toMatchObject({ code, field });
    expect(await t.store.findUserByEmail(NEWCOMER)).toBeUndefined();
    const password = (payload as { password?: unknown }).password;
    if (typeof password === 'string' && password !== '') expect(response.body).not.toContain(password);
  });

  it('accepts a 1024-character password (the documented maximum)', async () => {
    const response = await post('/auth', { email: NEWCOMER, password: 'x'.repeat(1023) + 'y' });
    expect(response.statusCode).toBe(201);
  });

  it('refuses a taken email with 409 and leaves the first account untouched', async () => {
    await registerUser(t.app, { email: NEWCOMER });
    const again = await post('/auth', { email: 'NEWCOMER@example.com', password: 'another long password' });
    expect(again.statusCode).toBe(409);
    expect(errorOf(again).code).toBe('email_taken');
    expect(again.body).not.toContain('another long password');

    const original = await post('/auth/sign_in', { email: NEWCOMER, password: PASSWORD });
    expect(original.statusCode).toBe(200);
    const intruder = await post('/auth/sign_in', { email: NEWCOMER, password: 'another long password' });
    expect(errorOf(intruder).code).toBe('invalid_credentials');
    expect(await listSessionsOf(t.app, original.json<SignedInJson>().tokens.access_token)).toHaveLength(2);
  });

  it('lets exactly one of two simultaneous registrations of an email through; the other gets 409', async () => {
    const responses = await Promise.all([
      post('/auth', { email: NEWCOMER, password: PASSWORD }),
      post('/auth', { email: 'Newcomer@example.com', password: 'a different password' }),
    ]);
    expect(responses.map((response) => response.statusCode).sort()).toEqual([201, 409]);
    expect(responses.map((response) => errorOf(response).code ?? 'created').sort()).toEqual([
      'created',
      'email_taken',
    ]);
  });
});

describe('POST /auth/sign_in', () => {
  it('opens a new session for the right password: 200 with fresh tokens that are not cached', async () => {
    const registered = await registerUser(t.app, { email: NEWCOMER });
    const response = await post('/auth/sign_in', { email: NEWCOMER, password: PASSWORD, remember: false });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json<SignedInJson>();
    expect(body.user.uuid).toBe(registered.user.uuid);
    expect(body.session.uuid).not.toBe(registered.session.uuid);
    expect(body.session.remember).toBe(false);
    expect(body.tokens.access_token).not.toBe(registered.tokens.access_token);
    expect(response.body).not.toContain(PASSWORD);
  });

  it.each([
    ['no password', { email: NEWCOMER }, 'password'],
    ['no email', { password: PASSWORD }, 'email'],
    ['an unknown field', { email: NEWCOMER, password: PASSWORD, otp: '123456' }, 'otp'],
    ['a numeric password', { email: NEWCOMER, password: 1234 }, 'password'],
    ['a boolean email', { email: true, password: PASSWORD }, 'email'],
    ['a string remember', { email: NEWCOMER, password: PASSWORD, remember: 'false' }, 'remember'],
  ])('refuses %s as invalid_request without opening a session', async (_name, payload, field) => {
    const registered = await registerUser(t.app, { email: NEWCOMER });
    const response = await post('/auth/sign_in', payload);
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toMatchObject({ code: 'invalid_request', field });
    expect(await listSessionsOf(t.app, registered.tokens.access_token)).toHaveLength(1);
  });

  it('answers a wrong password, a wrong-case password and an unknown email alike, opening nothing', async () => {
    const registered = await registerUser(t.app, { email: NEWCOMER });
    const attempts = [
      { email: NEWCOMER, password: 'wrong password entirely' },
      { email: NEWCOMER, password: PASSWORD.toUpperCase() },
      { email: 'stranger@example.com', password: PASSWORD },
    ];
    const bodies = new Set<string>();
    for (const attempt of attempts) {
      const response = await post('/auth/sign_in', attempt);
      expect(response.statusCode).toBe(401);
      expect(errorOf(response).code).toBe('invalid_credentials');
      bodies.add(response.body);
    }
    expect(bodies.size).toBe(1);
    expect(await listSessionsOf(t.app, registered.tokens.access_token)).toHaveLength(1);
  });
});

describe('POST /auth/sign_out', () => {
  async function signOut(headers: Record<string, string>, payload?: Record<string, unknown>) {
    return t.app.inject({
      method: 'POST',
      url: '/auth/sign_out',
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
  }

  it('ends only the current session; its tokens then answer session_revoked with reason sign_out', async () => {
    const first = await registerUser(t.app, { email: NEWCOMER });
    const second = await signInUser(t.app, NEWCOMER);

    const response = await signOut(bearer(first.tokens.access_token));
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');

    const me = await t.app.inject({ method: 'GET', url: '/me', headers: bearer(first.tokens.access_token) });
    expect(me.statusCode).toBe(401);
    expect(errorOf(me)).toMatchObject({ code: 'session_revoked', reason: 'sign_out' });
    expect(me.headers['www-authenticate']).toMatch(/^Bearer .*error="invalid_token"/);
    const refresh = await post('/session/refresh', { refresh_token: first.tokens.refresh_token });
    expect(refresh.statusCode).toBe(401);
    expect(errorOf(refresh)).toMatchObject({ code: 'session_revoked', reason: 'sign_out' });

    const remaining = await listSessionsOf(t.app, second.tokens.access_token);
    expect(remaining.map((session) => session.uuid)).toEqual([second.session.uuid]);
  });

  it('refuses a second sign-out with the same token', async () => {
    const registered = await registerUser(t.app);
    expect((await signOut(bearer(registered.tokens.access_token))).statusCode).toBe(204);
    const again = await signOut(bearer(registered.tokens.access_token));
    expect(again.statusCode).toBe(401);
    expect(errorOf(again)).toMatchObject({ code: 'session_revoked', reason: 'sign_out' });
  });

  it('accepts the scheme in any case and an api field in the body', async () => {
    const registered = await registerUser(t.app);
    const response = await signOut(
      { authorization: `bearer ${registered.tokens.access_token}` },
      { api: '20200115' },
    );
    expect(response.statusCode).toBe(204);
  });

  it.each([
    ['no Authorization header', () => ({}), 'token_missing'],
    ['another scheme', () => ({ authorization: 'Basic bmV3Y29tZXI6cGFzcw==' }), 'token_missing'],
    ['a bare Bearer', () => ({ authorization: 'Bearer' }), 'token_invalid'],
    ['garbage', () => ({ authorization: 'Bearer not-a-token' }), 'token_invalid'],
    [
      'two tokens',
      (s: SignedInJson) => bearer(`${s.tokens.access_token} ${s.tokens.access_token}`),
      'token_invalid',
    ],
    ['the refresh token', (s: SignedInJson) => bearer(s.tokens.refresh_token), 'token_invalid'],
  ])('refuses %s with 401 and keeps the session', async (_name, headersFor, code) => {
    const registered = await registerUser(t.app);
    const response = await signOut(headersFor(registered));
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).code).toBe(code);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="keycard"/);
    expect(await listSessionsOf(t.app, registered.tokens.access_token)).toHaveLength(1);
  });

  it('refuses an expired access token with access_token_expired; refreshing still works', async () => {
    const registered = await registerUser(t.app);
    t.clock.advance(HOUR_MS + 1000);
    const response = await signOut(bearer(registered.tokens.access_token));
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).code).toBe('access_token_expired');
    expect(response.headers['www-authenticate']).toBe('Bearer realm="keycard", error="invalid_token"');
    const refresh = await post('/session/refresh', { refresh_token: registered.tokens.refresh_token });
    expect(refresh.statusCode).toBe(200);
  });

  it('refuses a body with fields other than api, and does not sign out', async () => {
    const registered = await registerUser(t.app);
    const response = await signOut(bearer(registered.tokens.access_token), {
      refresh_token: registered.tokens.refresh_token,
    });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toMatchObject({ code: 'invalid_request', field: 'refresh_token' });
    expect(response.body).not.toContain(registered.tokens.refresh_token);
    expect(await listSessionsOf(t.app, registered.tokens.access_token)).toHaveLength(1);
  });
});
