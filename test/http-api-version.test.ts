import { describe, expect, it } from 'vitest';
import {
  bearer,
  useTestKeycard,
  errorOf,
  listSessionsOf,
  PASSWORD,
  registerUser,
  type SignedInJson,
} from './support/test-keycard.js';

const t = useTestKeycard();

const OLD = '20190520';
const CURRENT = '20200115';
const NEWCOMER = 'newcomer@example.com';

function register(options: {
  url?: string;
  headers?: Record<string, string>;
  body?: Record<string, unknown>;
}) {
  return t.app.inject({
    method: 'POST',
    url: options.url ?? '/auth',
    headers: options.headers ?? {},
    payload: { email: NEWCOMER, password: PASSWORD, ...options.body },
  });
}

describe('the API version a session is created with', () => {
  it(`defaults to ${CURRENT}`, async () => {
    const registered = await registerUser(t.app);
    expect(registered.session.api_version).toBe(CURRENT);
    const [listed] = await listSessionsOf(t.app, registered.tokens.access_token);
    expect(listed?.api_version).toBe(CURRENT);
  });

  it.each([
    ['the body', { body: { api: OLD } }],
    ['the query string', { url: `/auth?api=${OLD}` }],
    ['the X-Api-Version header', { headers: { 'x-api-version': OLD } }],
    ['the body and the header, agreeing', { body: { api: OLD }, headers: { 'x-api-version': OLD } }],
  ])('is taken from %s and kept in the session', async (_name, options) => {
    const response = await register(options);
    expect(response.statusCode).toBe(201);
    const registered = response.json<SignedInJson>();
    expect(registered.session.api_version).toBe(OLD);
    const [listed] = await listSessionsOf(t.app, registered.tokens.access_token);
    expect(listed?.api_version).toBe(OLD);
  });

  it('is recorded per session: a sign-in with another version lists each with its own', async () => {
    const registered = await registerUser(t.app, { email: NEWCOMER });
    const signedIn = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      headers: { 'x-api-version': OLD },
      payload: { email: NEWCOMER, password: PASSWORD },
    });
    expect(signedIn.json<SignedInJson>().session.api_version).toBe(OLD);
    const sessions = await listSessionsOf(t.app, registered.tokens.access_token);
    const versionOf = (uuid: string) => sessions.find((session) => session.uuid === uuid)?.api_version;
    expect(versionOf(registered.session.uuid)).toBe(CURRENT);
    expect(versionOf(signedIn.json<SignedInJson>().session.uuid)).toBe(OLD);
  });

  it('survives a refresh', async () => {
    const registered = await registerUser(t.app, { api: OLD });
    const refreshed = await t.app.inject({
      method: 'POST',
      url: '/session/refresh',
      payload: { refresh_token: registered.tokens.refresh_token },
    });
    expect(refreshed.json<SignedInJson>().session.api_version).toBe(OLD);
  });
});

describe('an unsupported or ambiguous API version', () => {
  it.each([
    ['in the body', { body: { api: '20990101' } }, 'unsupported_api_version', undefined],
    ['in the query string', { url: '/auth?api=2019-05-20' }, 'unsupported_api_version', undefined],
    ['in the header', { headers: { 'x-api-version': '1' } }, 'unsupported_api_version', undefined],
    ['as an empty header', { headers: { 'x-api-version': '' } }, 'unsupported_api_version', undefined],
    ['as a number', { body: { api: 20190520 } }, 'invalid_request', 'api'],
    ['twice in the query', { url: `/auth?api=${OLD}&api=${CURRENT}` }, 'invalid_request', 'api'],
    [
      'conflicting header and body',
      { headers: { 'x-api-version': OLD }, body: { api: CURRENT } },
      'invalid_request',
      'api',
    ],
    [
      'conflicting query and body',
      { url: `/auth?api=${CURRENT}`, body: { api: OLD } },
      'invalid_request',
      'api',
    ],
    [
      'conflicting header and query',
      { url: `/auth?api=${CURRENT}`, headers: { 'x-api-version': OLD } },
      'invalid_request',
      'api',
    ],
  ])('%s refuses a registration with 400, creating nothing', async (_name, options, code, field) => {
    const response = await register(options);
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toEqual({
      code,
      message: expect.any(String) as string,
      ...(field ? { field } : {}),
    });
    expect(await t.store.findUserByEmail(NEWCOMER)).toBeUndefined();
  });

  it('refuses a sign-in without opening a session', async () => {
    const registered = await registerUser(t.app, { email: NEWCOMER });
    const response = await register({ url: '/auth/sign_in?api=20180101' });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).code).toBe('unsupported_api_version');
    expect(await listSessionsOf(t.app, registered.tokens.access_token)).toHaveLength(1);
  });

  it('refuses a refresh without rotating the token', async () => {
    const registered = await registerUser(t.app);
    const response = await t.app.inject({
      method: 'POST',
      url: '/session/refresh',
      payload: { refresh_token: registered.tokens.refresh_token, api: '20180101' },
    });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).code).toBe('unsupported_api_version');
    const me = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: bearer(registered.tokens.access_token),
    });
    expect(me.statusCode).toBe(200);
  });

  it('refuses authenticated requests, even with a valid token, and changes nothing', async () => {
    const registered = await registerUser(t.app, { email: NEWCOMER });
    const other = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email: NEWCOMER, password: PASSWORD },
    });
    const headers = { ...bearer(registered.tokens.access_token), 'x-api-version': '20180101' };
    const attempts = [
      { method: 'GET' as const, url: '/me', headers },
      { method: 'GET' as const, url: '/sessions', headers },
      { method: 'POST' as const, url: '/auth/sign_out', headers },
      { method: 'DELETE' as const, url: '/sessions', headers },
      {
        method: 'DELETE' as const,
        url: '/session',
        headers,
        payload: { uuid: other.json<SignedInJson>().session.uuid },
      },
      {
        method: 'DELETE' as const,
        url: `/sessions?api=${OLD}`,
        headers: { ...headers, 'x-api-version': CURRENT },
      },
    ];
    for (const attempt of attempts) {
      const response = await t.app.inject(attempt);
      expect(response.statusCode, `${attempt.method} ${attempt.url}`).toBe(400);
    }
    expect(await listSessionsOf(t.app, registered.tokens.access_token)).toHaveLength(2);
  });
});
