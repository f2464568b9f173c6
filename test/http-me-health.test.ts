import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { KeycardError } from '../src/core/errors.js';
import { bearer, useTestKeycard, errorOf, registerUser, type SignedInJson } from './support/test-keycard.js';

const t = useTestKeycard();

const MINUTE_MS = 60 * 1000;

function me(headers: Record<string, string>, url = '/me') {
  return t.app.inject({ method: 'GET', url, headers });
}

describe('GET /me', () => {
  it('answers who is calling: the user and the session, no tokens, no password hash, not cached', async () => {
    const registered = await registerUser(t.app, { api: '20190520' }, { 'user-agent': 'agent/2' });
    const response = await me(bearer(registered.tokens.access_token));
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toEqual({
      roles: [],
      permissions: [],
      elevated_until: null,
      user: registered.user,
      session: registered.session,
    });
    expect(registered.session).toMatchObject({ api_version: '20190520', user_agent: 'agent/2' });
    const stored = await t.store.findUserByEmail(registered.user.email);
    expect(response.body).not.toContain(stored?.passwordHash);
    expect(response.body).not.toContain(registered.tokens.access_token);
  });

  it('records activity, which keeps a short session from idling out', async () => {
    const registered = await registerUser(t.app, { remember: false });
    t.clock.advance(50 * MINUTE_MS);
    const active = await me(bearer(registered.tokens.access_token));
    expect(active.json<{ session: { updated_at: string } }>().session.updated_at).toBe(
      new Date(t.clock.now()).toISOString(),
    );
    t.clock.advance(45 * MINUTE_MS); // 95 min after sign-in, 45 min after the last activity
    const refresh = await t.app.inject({
      method: 'POST',
      url: '/session/refresh',
      payload: { refresh_token: registered.tokens.refresh_token },
    });
    expect(refresh.statusCode).toBe(200);
  });

  it('asks for a token, without an error code, when none is sent', async () => {
    const response = await me({});
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      error: { code: 'token_missing', message: 'An access token is required.' },
    });
    expect(response.headers['www-authenticate']).toBe('Bearer realm="keycard"');
  });

  it.each([
    ['another scheme', () => ({ authorization: 'Token abc' }), 'token_missing'],
    ['an empty header', () => ({ authorization: ' ' }), 'token_missing'],
    ['a bare Bearer', () => ({ authorization: 'Bearer ' }), 'token_invalid'],
    [
      'a scheme glued to the token (another scheme)',
      (s: SignedInJson) => ({ authorization: `Bearer${s.tokens.access_token}` }),
      'token_missing',
    ],
    [
      'two tokens',
      (s: SignedInJson) => ({ authorization: `Bearer ${s.tokens.access_token} x` }),
      'token_invalid',
    ],
    ['garbage', () => ({ authorization: 'Bearer !!!' }), 'token_invalid'],
    ['the refresh token', (s: SignedInJson) => bearer(s.tokens.refresh_token), 'token_invalid'],
    [
      'a forged secret for a real session',
      (s: SignedInJson) => bearer(`${s.session.uuid}.${randomBytes(32).toString('base64url')}`),
      'token_invalid',
    ],
    ['a truncated token', (s: SignedInJson) => bearer(s.tokens.access_token.slice(0, -1)), 'token_invalid'],
  ])('refuses %s with 401 %s, revealing nothing', async (_name, headersFor, code) => {
    const registered = await registerUser(t.app);
    const response = await me(headersFor(registered));
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).code).toBe(code);
    expect(response.body).not.toContain(registered.user.email);
    expect(response.body).not.toContain(registered.tokens.refresh_token);
  });

  it('takes the scheme in any case and spaces around the token', async () => {
    const registered = await registerUser(t.app);
    for (const authorization of [
      `bearer ${registered.tokens.access_token}`,
      `BEARER   ${registered.tokens.access_token}`,
      `Bearer ${registered.tokens.access_token}  `,
    ]) {
      expect((await me({ authorization })).statusCode).toBe(200);
    }
  });

  it('never takes the token from the URL', async () => {
    const registered = await registerUser(t.app);
    const token = encodeURIComponent(registered.tokens.access_token);
    for (const url of [`/me?access_token=${token}`, `/me?token=${token}`]) {
      const response = await me({}, url);
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.body).not.toContain(registered.user.email);
      expect(response.body).not.toContain(registered.tokens.access_token);
    }
  });

  it('refuses an access token older than 3600 s with access_token_expired and an RFC 6750 header', async () => {
    const registered = await registerUser(t.app);
    t.clock.advance(3599 * 1000);
    expect((await me(bearer(registered.tokens.access_token))).statusCode).toBe(200);
    t.clock.advance(2 * 1000);
    const response = await me(bearer(registered.tokens.access_token));
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).code).toBe('access_token_expired');
    expect(response.headers['www-authenticate']).toBe('Bearer realm="keycard", error="invalid_token"');
  });

  it('refuses an idle short session with session_expired, again on the next try', async () => {
    const registered = await registerUser(t.app, { remember: false });
    t.clock.advance(91 * MINUTE_MS);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await me(bearer(registered.tokens.access_token));
      expect(response.statusCode).toBe(401);
      expect(errorOf(response).code).toBe('session_expired');
      expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
    }
  });
});

describe('GET /health', () => {
  it('answers 200 ok without a token while the store answers', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('answers 503 store_unavailable when the store says so', async () => {
    vi.spyOn(t.store, 'ping').mockRejectedValue(new KeycardError('store_unavailable'));
    const response = await t.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      error: { code: 'store_unavailable', message: 'The store is unavailable; try again shortly.' },
    });
  });

  it('answers 503 store_unavailable once the store has been closed', async () => {
    await t.store.close();
    const response = await t.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(errorOf(response).code).toBe('store_unavailable');
  });

  it('answers an unexpected failure as a bare 500 internal_error', async () => {
    vi.spyOn(t.store, 'ping').mockRejectedValue(
      new Error('connect ECONNREFUSED 10.1.2.3:5432 as keycard_admin'),
    );
    const response = await t.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      error: { code: 'internal_error', message: 'Something went wrong on our side.' },
    });
  });

  it('refuses unknown query parameters and unsupported API versions like every endpoint', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: '/health?verbose=1' });
    expect(unknown.statusCode).toBe(400);
    expect(errorOf(unknown)).toMatchObject({ code: 'invalid_request', field: 'verbose' });
    const version = await t.app.inject({ method: 'GET', url: '/health?api=20990101' });
    expect(version.statusCode).toBe(400);
    expect(errorOf(version).code).toBe('unsupported_api_version');
  });
});
