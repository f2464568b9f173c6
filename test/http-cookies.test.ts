import { describe, expect, it } from 'vitest';
import {
  ACCESS_COOKIE,
  cookieHeader,
  HOST,
  PAGE_HEADERS,
  REFRESH_COOKIE,
  registerWithCookies,
  sessionCookiesOf,
  setCookiesOf,
} from './support/browser-requests.js';
import {
  bearer,
  errorOf,
  PASSWORD,
  registerUser,
  signInUser,
  testOptions,
  useTestKeycard,
} from './support/test-keycard.js';

const DAY = 86_400;
// A long session of at most 8 days: the absolute expiry comes before the idle one after a day's use.
const t = useTestKeycard({
  lifetimes: { ...testOptions.lifetimes, long: { idleSeconds: 7 * DAY, absoluteSeconds: 8 * DAY } },
});

describe('cookie transport', () => {
  it('hands out the tokens of a registration as HttpOnly, Secure, SameSite=Lax cookies instead of in the body', async () => {
    const { response } = await registerWithCookies(t.app);
    const body = response.json<Record<string, unknown>>();
    expect(body).toHaveProperty('user');
    expect(body).toHaveProperty('session');
    expect(body).not.toHaveProperty('tokens');

    const raw = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
    expect(raw).toHaveLength(2);
    const access = raw.find((line) => line.startsWith(`${ACCESS_COOKIE}=`));
    const refresh = raw.find((line) => line.startsWith(`${REFRESH_COOKIE}=`));
    for (const line of [access, refresh]) {
      expect(line).toMatch(/; Secure(;|$)/);
      expect(line).toMatch(/; HttpOnly(;|$)/);
      expect(line).toMatch(/; SameSite=Lax(;|$)/);
      expect(line).not.toMatch(/; Domain=/i);
    }
    expect(access).toMatch(/; Path=\/(;|$)/);
    expect(refresh).toMatch(/; Path=\/session\/refresh(;|$)/);
    // Seven days idle: the session's end if unused.
    expect(setCookiesOf(response).get(ACCESS_COOKIE)?.maxAge).toBe(7 * DAY);
    expect(setCookiesOf(response).get(REFRESH_COOKIE)?.maxAge).toBe(7 * DAY);
  });

  it('signs in with cookies when asked by the X-Keycard-Transport header; a short session gets short cookies', async () => {
    const { email } = await registerWithCookies(t.app);
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      headers: { ...PAGE_HEADERS, 'x-keycard-transport': 'cookie' },
      payload: { email, password: PASSWORD, remember: false },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json<Record<string, unknown>>()).not.toHaveProperty('tokens');
    const cookies = setCookiesOf(response);
    expect(cookies.get(ACCESS_COOKIE)?.maxAge).toBe(90 * 60);
    expect(cookies.get(REFRESH_COOKIE)?.maxAge).toBe(90 * 60);
  });

  it('never lets a cookie outlive the session’s absolute expiry', async () => {
    const { cookies } = await registerWithCookies(t.app);
    t.clock.advance(6 * DAY * 1000);
    const response = await t.app.inject({
      method: 'POST',
      url: '/session/refresh',
      headers: { ...PAGE_HEADERS, cookie: cookieHeader(cookies) },
      payload: {},
    });
    expect(response.statusCode).toBe(200);
    // Idle would allow 7 more days; the session ends 2 days from now.
    for (const cookie of setCookiesOf(response).values()) expect(cookie.maxAge).toBe(2 * DAY);
  });

  it('authenticates GET requests by the access cookie, and Bearer keeps working beside it', async () => {
    const { email, cookies } = await registerWithCookies(t.app);
    const me = await t.app.inject({ method: 'GET', url: '/me', headers: { cookie: cookieHeader(cookies) } });
    expect(me.statusCode).toBe(200);
    expect(me.json<{ user: { email: string } }>().user.email).toBe(email);

    const signedIn = await signInUser(t.app, email);
    expect(signedIn.tokens.access_token).toBeTruthy();
    // The Authorization header wins over a cookie: a Bearer client is never judged by a stray cookie.
    const both = await t.app.inject({
      method: 'DELETE',
      url: '/sessions',
      headers: { ...bearer(signedIn.tokens.access_token), cookie: `${ACCESS_COOKIE}=garbage` },
    });
    expect(both.statusCode).toBe(204);
    expect(both.headers['set-cookie']).toBeUndefined();
  });

  it('refreshes by the refresh cookie: new cookies, the old access cookie superseded', async () => {
    const { cookies } = await registerWithCookies(t.app);
    const response = await t.app.inject({
      method: 'POST',
      url: '/session/refresh',
      headers: { ...PAGE_HEADERS, cookie: cookieHeader({ refresh: cookies.refresh }) },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json<Record<string, unknown>>()).not.toHaveProperty('tokens');
    const next = sessionCookiesOf(response);
    expect(next.access).not.toBe(cookies.access);
    expect(next.refresh).not.toBe(cookies.refresh);
    const fresh = await t.app.inject({ method: 'GET', url: '/me', headers: { cookie: cookieHeader(next) } });
    expect(fresh.statusCode).toBe(200);
    const stale = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: { cookie: cookieHeader(cookies) },
    });
    expect(errorOf(stale).code).toBe('token_invalid');
    // A superseded cookie will never work again: the browser is told to drop it.
    expect(setCookiesOf(stale).get(ACCESS_COOKIE)?.maxAge).toBe(0);
  });

  it('can hand a Bearer client’s refreshed tokens out as cookies when asked', async () => {
    const { tokens } = await registerUser(t.app);
    const response = await t.app.inject({
      method: 'POST',
      url: '/session/refresh',
      headers: PAGE_HEADERS,
      payload: { refresh_token: tokens.refresh_token, transport: 'cookie' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json<Record<string, unknown>>()).not.toHaveProperty('tokens');
    expect(sessionCookiesOf(response).access).toBeTruthy();
  });

  it('signs out by cookie: 204, both cookies cleared, the session over', async () => {
    const { cookies } = await registerWithCookies(t.app);
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_out',
      headers: { ...PAGE_HEADERS, cookie: cookieHeader(cookies) },
    });
    expect(response.statusCode).toBe(204);
    const cleared = setCookiesOf(response);
    expect(cleared.get(ACCESS_COOKIE)).toMatchObject({ value: '', maxAge: 0, path: '/' });
    expect(cleared.get(REFRESH_COOKIE)).toMatchObject({ value: '', maxAge: 0, path: '/session/refresh' });
    const after = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: { cookie: cookieHeader(cookies) },
    });
    expect(errorOf(after)).toMatchObject({ code: 'session_revoked', reason: 'sign_out' });
  });

  it('clears the cookies of a session revoked from another device on its next request, with the reason', async () => {
    const { email, cookies } = await registerWithCookies(t.app);
    const other = await signInUser(t.app, email);
    const mine = (
      await t.app.inject({ method: 'GET', url: '/me', headers: { cookie: cookieHeader(cookies) } })
    ).json<{ session: { uuid: string } }>().session.uuid;
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: '/session',
      headers: bearer(other.tokens.access_token),
      payload: { uuid: mine },
    });
    expect(revoked.statusCode).toBe(204);

    const me = await t.app.inject({ method: 'GET', url: '/me', headers: { cookie: cookieHeader(cookies) } });
    expect(me.statusCode).toBe(401);
    expect(errorOf(me)).toMatchObject({ code: 'session_revoked', reason: 'revoked' });
    expect(setCookiesOf(me).get(ACCESS_COOKIE)?.maxAge).toBe(0);
    const refresh = await t.app.inject({
      method: 'POST',
      url: '/session/refresh',
      headers: { ...PAGE_HEADERS, cookie: cookieHeader({ refresh: cookies.refresh }) },
    });
    expect(errorOf(refresh)).toMatchObject({ code: 'session_revoked', reason: 'revoked' });
    expect(setCookiesOf(refresh).get(REFRESH_COOKIE)?.maxAge).toBe(0);
  });

  it('answers token_missing without cookies, and never sets cookies for a Bearer sign-in', async () => {
    const missing = await t.app.inject({ method: 'GET', url: '/me', headers: { host: HOST } });
    expect(errorOf(missing).code).toBe('token_missing');
    const bearerClient = await t.app.inject({
      method: 'POST',
      url: '/auth',
      payload: { email: 'bearer@example.com', password: PASSWORD },
    });
    expect(bearerClient.statusCode).toBe(201);
    expect(bearerClient.headers['set-cookie']).toBeUndefined();
  });
});

describe('cookie transport, refused', () => {
  it.each([
    ['an unknown header value', { 'x-keycard-transport': 'carrier-pigeon' }, {}, 'x-keycard-transport'],
    ['an unknown body value', {}, { transport: 'carrier-pigeon' }, 'transport'],
    [
      'a header and body that disagree',
      { 'x-keycard-transport': 'bearer' },
      { transport: 'cookie' },
      'transport',
    ],
  ])('%s: invalid_request naming the field, and no account made', async (_case, headers, body, field) => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth',
      headers: { ...PAGE_HEADERS, ...headers },
      payload: { email: 'refused@example.com', password: PASSWORD, ...body },
    });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toMatchObject({ code: 'invalid_request', field });
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(t.events).toEqual([]);
  });

  it('a refresh with neither a token nor a cookie: invalid_request on refresh_token', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/session/refresh',
      headers: PAGE_HEADERS,
      payload: {},
    });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toMatchObject({ code: 'invalid_request', field: 'refresh_token' });
  });

  it('a forged refresh cookie: refresh_token_invalid, cookies cleared, the session unharmed', async () => {
    const { cookies } = await registerWithCookies(t.app);
    const [uuid] = cookies.refresh.split('.');
    const forged = `${uuid ?? ''}.0.${'A'.repeat(43)}`;
    const response = await t.app.inject({
      method: 'POST',
      url: '/session/refresh',
      headers: { ...PAGE_HEADERS, cookie: cookieHeader({ refresh: forged }) },
    });
    expect(errorOf(response).code).toBe('refresh_token_invalid');
    expect(setCookiesOf(response).get(REFRESH_COOKIE)?.maxAge).toBe(0);
    const me = await t.app.inject({ method: 'GET', url: '/me', headers: { cookie: cookieHeader(cookies) } });
    expect(me.statusCode).toBe(200);
  });
});
