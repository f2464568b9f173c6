import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  cookieHeader,
  HOST,
  OWN_ORIGIN,
  PAGE_HEADERS,
  registerWithCookies,
  TRUSTED_ORIGIN,
} from './support/browser-requests.js';
import { bearer, errorOf, PASSWORD, signInUser, useTestKeycard } from './support/test-keycard.js';

const t = useTestKeycard({}, { app: { trustedOrigins: [TRUSTED_ORIGIN] } });

/** Two sessions of one account: the browser's (by cookie) and another device's (Bearer). */
async function browserAndOtherDevice() {
  const { email, cookies } = await registerWithCookies(t.app);
  const other = await signInUser(t.app, email);
  return { cookies, other };
}

/** The state-changing requests a browser can make by cookie, each as a function of its cookies. */
function stateChanging(cookies: { access: string; refresh: string }, otherUuid: string) {
  return {
    'sign-out': { method: 'POST', url: '/auth/sign_out', headers: { cookie: cookieHeader(cookies) } },
    'revoke one': {
      method: 'DELETE',
      url: '/session',
      headers: { cookie: cookieHeader(cookies), 'content-type': 'application/json' },
      payload: JSON.stringify({ uuid: otherUuid }),
    },
    'revoke the others': { method: 'DELETE', url: '/sessions', headers: { cookie: cookieHeader(cookies) } },
    'change the password': {
      method: 'PUT',
      url: '/me/password',
      headers: { cookie: cookieHeader(cookies), 'content-type': 'application/json' },
      payload: JSON.stringify({ current_password: PASSWORD, new_password: 'a different horse, stapled' }),
    },
    elevate: {
      method: 'POST',
      url: '/session/elevate',
      headers: { cookie: cookieHeader(cookies), 'content-type': 'application/json' },
      payload: JSON.stringify({ password: PASSWORD }),
    },
    'refresh by cookie': {
      method: 'POST',
      url: '/session/refresh',
      headers: { cookie: cookieHeader({ refresh: cookies.refresh }) },
    },
  } satisfies Record<string, InjectOptions>;
}

/** Headers that must each make a cookie request fail the CSRF check. */
const FORGERIES: [string, Record<string, string>][] = [
  ['without X-Keycard-CSRF', { host: HOST, origin: OWN_ORIGIN }],
  ['with X-Keycard-CSRF: 0', { host: HOST, origin: OWN_ORIGIN, 'x-keycard-csrf': '0' }],
  ['from an untrusted origin', { host: HOST, origin: 'https://evil.example', 'x-keycard-csrf': '1' }],
  ['from an opaque origin (null)', { host: HOST, origin: 'null', 'x-keycard-csrf': '1' }],
  ['from another port of the same host', { host: HOST, origin: `${OWN_ORIGIN}:8081`, 'x-keycard-csrf': '1' }],
  [
    'cross-site by Sec-Fetch-Site, no Origin',
    { host: HOST, 'sec-fetch-site': 'cross-site', 'x-keycard-csrf': '1' },
  ],
  [
    'same-site by Sec-Fetch-Site, no Origin',
    { host: HOST, 'sec-fetch-site': 'same-site', 'x-keycard-csrf': '1' },
  ],
  ['showing no origin at all', { host: HOST, 'x-keycard-csrf': '1' }],
];

describe('CSRF: state-changing requests by cookie', () => {
  for (const [forgery, headers] of FORGERIES) {
    it(`are refused ${forgery}: 403 csrf_rejected, and nothing changes`, async () => {
      const { cookies, other } = await browserAndOtherDevice();
      const before = t.events.length;
      for (const [name, request] of Object.entries(stateChanging(cookies, other.session.uuid))) {
        const response = await t.app.inject({ ...request, headers: { ...request.headers, ...headers } });
        expect(response.statusCode, name).toBe(403);
        expect(errorOf(response).code, name).toBe('csrf_rejected');
        expect(response.headers['set-cookie'], name).toBeUndefined();
      }
      expect(t.events.slice(before)).toEqual([]);
      // Both sessions live on, and the refresh cookie still works (it was not rotated).
      const me = await t.app.inject({
        method: 'GET',
        url: '/me',
        headers: { cookie: cookieHeader(cookies) },
      });
      expect(me.statusCode).toBe(200);
      const theirs = await t.app.inject({
        method: 'GET',
        url: '/me',
        headers: bearer(other.tokens.access_token),
      });
      expect(theirs.statusCode).toBe(200);
      const refresh = await t.app.inject({
        method: 'POST',
        url: '/session/refresh',
        headers: { ...PAGE_HEADERS, cookie: cookieHeader({ refresh: cookies.refresh }) },
      });
      expect(refresh.statusCode).toBe(200);
    });
  }

  it.each([
    ['the same origin', { origin: OWN_ORIGIN }],
    ['a trusted origin', { origin: TRUSTED_ORIGIN }],
    ['Sec-Fetch-Site: same-origin without Origin', { 'sec-fetch-site': 'same-origin' }],
  ])('are accepted from %s with X-Keycard-CSRF: 1', async (_case, origin) => {
    const { cookies, other } = await browserAndOtherDevice();
    const response = await t.app.inject({
      method: 'DELETE',
      url: '/sessions',
      headers: { host: HOST, 'x-keycard-csrf': '1', ...origin, cookie: cookieHeader(cookies) },
    });
    expect(response.statusCode).toBe(204);
    const theirs = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: bearer(other.tokens.access_token),
    });
    expect(errorOf(theirs)).toMatchObject({ code: 'session_revoked', reason: 'revoked_others' });
  });

  it.each([
    ['a form', 'application/x-www-form-urlencoded', 'uuid=x'],
    ['a multipart form', 'multipart/form-data; boundary=x', '--x\r\n\r\n--x--'],
    ['text', 'text/plain', '{"uuid":"x"}'],
    ['an empty form', 'application/x-www-form-urlencoded', ''],
  ])('refuse %s body even with the CSRF header, and nothing changes', async (_case, type, payload) => {
    const { cookies, other } = await browserAndOtherDevice();
    const before = t.events.length;
    const response = await t.app.inject({
      method: 'DELETE',
      url: '/sessions',
      headers: { ...PAGE_HEADERS, 'content-type': type, cookie: cookieHeader(cookies) },
      payload,
    });
    expect([403, 415]).toContain(response.statusCode);
    expect(['csrf_rejected', 'unsupported_media_type']).toContain(errorOf(response).code);
    expect(t.events.slice(before)).toEqual([]);
    const theirs = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: bearer(other.tokens.access_token),
    });
    expect(theirs.statusCode).toBe(200);
  });

  it('does not apply to Bearer requests, which a forged page cannot make', async () => {
    const { other } = await browserAndOtherDevice();
    const response = await t.app.inject({
      method: 'DELETE',
      url: '/sessions',
      headers: { ...bearer(other.tokens.access_token), origin: 'https://evil.example' },
    });
    expect(response.statusCode).toBe(204);
  });

  it('leaves safe methods alone: a GET by cookie changes nothing and needs no header', async () => {
    const { cookies } = await browserAndOtherDevice();
    const before = t.events.length;
    const response = await t.app.inject({
      method: 'GET',
      url: '/sessions',
      headers: { host: HOST, origin: 'https://evil.example', cookie: cookieHeader(cookies) },
    });
    expect(response.statusCode).toBe(200);
    expect(t.events.slice(before)).toEqual([]);
    // Without CORS approval the evil page cannot read the answer.
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('guards sign-in with cookies too: an untrusted page cannot sign a browser in (no session, no cookie)', async () => {
    const { email } = await registerWithCookies(t.app);
    const before = t.events.length;
    for (const headers of FORGERIES.map(([, forged]) => forged)) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/auth/sign_in',
        headers,
        payload: { email, password: PASSWORD, transport: 'cookie' },
      });
      expect(errorOf(response).code, response.body).toBe('csrf_rejected');
      expect(response.headers['set-cookie']).toBeUndefined();
    }
    expect(t.events.slice(before)).toEqual([]);
  });
});

describe('CORS', () => {
  it('answers a trusted origin’s preflight with credentials and the headers the client sends, never *', async () => {
    const response = await t.app.inject({
      method: 'OPTIONS',
      url: '/sessions',
      headers: {
        origin: TRUSTED_ORIGIN,
        'access-control-request-method': 'DELETE',
        'access-control-request-headers': 'x-keycard-csrf, content-type',
      },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(TRUSTED_ORIGIN);
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    expect(String(response.headers['access-control-allow-headers'])).toContain('x-keycard-csrf');
    expect(String(response.headers['access-control-allow-methods'])).toContain('DELETE');
    expect(String(response.headers.vary)).toMatch(/origin/i);
  });

  it('gives an untrusted origin no Access-Control-Allow-Origin, on preflights and requests', async () => {
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/sessions',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const { cookies } = await registerWithCookies(t.app);
    const get = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: { origin: 'https://evil.example', cookie: cookieHeader(cookies) },
    });
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('names the trusted origin on its requests', async () => {
    const { cookies } = await registerWithCookies(t.app);
    const response = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: { origin: TRUSTED_ORIGIN, cookie: cookieHeader(cookies) },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(TRUSTED_ORIGIN);
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    expect(String(response.headers['access-control-expose-headers'])).toContain('retry-after');
  });
});

describe('CORS without trusted origins', () => {
  const plain = useTestKeycard();

  it('is off: a preflight gets no CORS headers, so browsers refuse every cross-origin call', async () => {
    const response = await plain.app.inject({
      method: 'OPTIONS',
      url: '/sessions',
      headers: { origin: TRUSTED_ORIGIN, 'access-control-request-method': 'DELETE' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});
