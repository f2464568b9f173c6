import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { KeycardError } from '../src/core/errors.js';
import {
  bearer,
  useTestKeycard,
  errorOf,
  listSessionsOf,
  PASSWORD,
  registerUser,
} from './support/test-keycard.js';

const t = useTestKeycard();

const NEWCOMER = 'newcomer@example.com';
const BODY_LIMIT = 16 * 1024;

function postRaw(url: string, payload: string, contentType?: string) {
  return t.app.inject({
    method: 'POST',
    url,
    payload,
    headers: contentType === undefined ? {} : { 'content-type': contentType },
  });
}

/** A registration body of exactly `bytes` bytes. */
function registrationOfSize(bytes: number): string {
  const skeleton = JSON.stringify({ email: NEWCOMER, password: '' });
  return JSON.stringify({ email: NEWCOMER, password: 'p'.repeat(bytes - skeleton.length) });
}

/** Keycard's error body: `{"error": {code, message}}` plus `field` or `reason` only, never cached. */
function expectErrorBody(response: LightMyRequestResponse, status: number, code: string): void {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.headers['cache-control']).toBe('no-store');
  const body = response.json<Record<string, unknown>>();
  expect(Object.keys(body)).toEqual(['error']);
  const error = errorOf(response);
  expect(error.code).toBe(code);
  expect(typeof error.message).toBe('string');
  expect(Object.keys(error).every((key) => ['code', 'message', 'field', 'reason'].includes(key))).toBe(true);
}

describe('request bodies', () => {
  it('refuses a body over 16 KiB with 413 payload_too_large, creating nothing', async () => {
    const response = await postRaw('/auth', registrationOfSize(BODY_LIMIT + 1), 'application/json');
    expectErrorBody(response, 413, 'payload_too_large');
    expect(await t.store.findUserByEmail(NEWCOMER)).toBeUndefined();
  });

  it('reads a body of exactly 16 KiB (then judges the password)', async () => {
    const response = await postRaw('/auth', registrationOfSize(BODY_LIMIT), 'application/json');
    expectErrorBody(response, 400, 'password_too_weak');
  });

  it('refuses a huge refresh or revocation body with 413, changing nothing', async () => {
    const registered = await registerUser(t.app);
    const huge = { refresh_token: registered.tokens.refresh_token, padding: 'x'.repeat(BODY_LIMIT) };
    const refresh = await t.app.inject({ method: 'POST', url: '/session/refresh', payload: huge });
    expectErrorBody(refresh, 413, 'payload_too_large');
    const revoke = await t.app.inject({
      method: 'DELETE',
      url: '/sessions',
      headers: bearer(registered.tokens.access_token),
      payload: { api: '2'.repeat(BODY_LIMIT) },
    });
    expectErrorBody(revoke, 413, 'payload_too_large');
    expect(refresh.body).not.toContain(registered.tokens.refresh_token);
    const me = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: bearer(registered.tokens.access_token),
    });
    expect(me.statusCode).toBe(200);
  });

  const credentials = JSON.stringify({ email: NEWCOMER, password: PASSWORD });
  it.each([
    ['text/plain', credentials, 'text/plain'],
    ['text/plain with a charset', credentials, 'text/plain; charset=utf-8'],
    ['a form', `email=${NEWCOMER}&password=${PASSWORD}`, 'application/x-www-form-urlencoded'],
    [
      'multipart',
      '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na\r\n--x--',
      'multipart/form-data; boundary=x',
    ],
    ['XML', '<credentials/>', 'application/xml'],
    ['no content type', credentials, undefined],
  ])('refuses %s with 415 unsupported_media_type, creating nothing', async (_name, payload, contentType) => {
    const response = await postRaw('/auth', payload, contentType);
    expectErrorBody(response, 415, 'unsupported_media_type');
    expect(await t.store.findUserByEmail(NEWCOMER)).toBeUndefined();
  });

  it('accepts application/json with a charset', async () => {
    const response = await postRaw('/auth', credentials, 'application/json; charset=utf-8');
    expect(response.statusCode).toBe(201);
  });

  it.each([
    ['malformed JSON', '{"email": "newcomer@example.com", "password": '],
    ['a trailing comma', `{"email": "${NEWCOMER}", "password": "${PASSWORD}",}`],
    ['an empty body', ''],
    [
      'a prototype-poisoning key',
      `{"email": "${NEWCOMER}", "password": "${PASSWORD}", "__proto__": {"admin": true}}`,
    ],
    [
      'a constructor-poisoning key',
      `{"email": "${NEWCOMER}", "password": "${PASSWORD}", "constructor": {"prototype": {}}}`,
    ],
  ])('refuses %s with 400 invalid_request, creating nothing', async (_name, payload) => {
    const response = await postRaw('/auth', payload, 'application/json');
    expectErrorBody(response, 400, 'invalid_request');
    expect(await t.store.findUserByEmail(NEWCOMER)).toBeUndefined();
    expect(response.body).not.toContain(PASSWORD);
  });

  it.each([['null'], ['[]'], ['"newcomer@example.com"'], ['42']])(
    'refuses the JSON body %s as invalid_request naming the body',
    async (payload) => {
      const response = await postRaw('/auth', payload, 'application/json');
      expectErrorBody(response, 400, 'invalid_request');
      expect(errorOf(response).field).toBe('body');
    },
  );
});

describe('an empty body sent as application/json', () => {
  it('is no body: routes that take none accept it', async () => {
    const { tokens } = await registerUser(t.app);
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_out',
      headers: { ...bearer(tokens.access_token), 'content-type': 'application/json' },
      payload: '',
    });
    expect(response.statusCode).toBe(204);
    const me = await t.app.inject({ method: 'GET', url: '/me', headers: bearer(tokens.access_token) });
    expect(errorOf(me).code).toBe('session_revoked');
  });

  it('is refused where a body is required, naming the body', async () => {
    // (Not /session/refresh: a browser refreshing by cookie sends no body.)
    const response = await postRaw('/auth/sign_in', '', 'application/json');
    expectErrorBody(response, 400, 'invalid_request');
    expect(errorOf(response).field).toBe('body');
  });
});

describe('routing', () => {
  it.each([
    ['GET', '/nope'],
    ['GET', '/auth'],
    ['PUT', '/me'],
    ['POST', '/sessions'],
    ['GET', '/auth/sign_in/'],
  ] as const)('answers %s %s with 404 not_found', async (method, url) => {
    const response = await t.app.inject({ method, url });
    expectErrorBody(response, 404, 'not_found');
    expect(response.json()).toEqual({ error: { code: 'not_found', message: 'No such endpoint.' } });
  });

  it('answers a badly encoded URL with a 400 in the usual error shape', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/me%E0%A4%A' });
    expectErrorBody(response, 400, 'invalid_request');
    expect(response.body).not.toContain('FST_');
  });
});

describe('unexpected failures', () => {
  const leaky = 'SQLITE_CORRUPT in /var/lib/keycard/keycard.db, table users, hash $argon2id$v=19$secret';

  it('answers a thrown Error as a bare 500 internal_error, without its message', async () => {
    const registered = await registerUser(t.app);
    vi.spyOn(t.keycard, 'listSessions').mockRejectedValue(new Error(leaky));
    const response = await t.app.inject({
      method: 'GET',
      url: '/sessions',
      headers: bearer(registered.tokens.access_token),
    });
    expectErrorBody(response, 500, 'internal_error');
    expect(response.json()).toEqual({
      error: { code: 'internal_error', message: 'Something went wrong on our side.' },
    });
  });

  it.each([
    [
      'an Error carrying an HTTP status and a code',
      Object.assign(new Error(leaky), { statusCode: 418, code: 'EPIPE' }),
    ],
    ['a TypeError', new TypeError(leaky)],
    ['a thrown string', leaky],
  ])('answers %s as 500 internal_error too', async (_name, thrown) => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a non-Error is one case under test
    vi.spyOn(t.keycard, 'signIn').mockImplementation(() => Promise.reject(thrown));
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email: NEWCOMER, password: PASSWORD },
    });
    expectErrorBody(response, 500, 'internal_error');
    expect(response.body).not.toContain('SQLITE');
  });

  it('keeps the cause of a Keycard error to itself', async () => {
    vi.spyOn(t.store, 'createUserWithSession').mockRejectedValue(
      new KeycardError('store_unavailable', { cause: new Error(leaky) }),
    );
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth',
      payload: { email: NEWCOMER, password: PASSWORD },
    });
    expectErrorBody(response, 503, 'store_unavailable');
    expect(response.body).not.toContain('SQLITE');
    expect(response.body).not.toContain(PASSWORD);
  });

  it('writes nothing when the store fails while a sign-in opens its session', async () => {
    const registered = await registerUser(t.app, { email: NEWCOMER });
    vi.spyOn(t.store, 'createSession').mockRejectedValueOnce(new Error(leaky));
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email: NEWCOMER, password: PASSWORD },
    });
    expectErrorBody(response, 500, 'internal_error');
    expect(await listSessionsOf(t.app, registered.tokens.access_token)).toHaveLength(1);
  });
});
