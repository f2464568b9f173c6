import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/http/app.js';
import { createKeycard } from '../src/keycard.js';
import {
  bearer,
  errorOf,
  PASSWORD,
  registerUser,
  type SignedInJson,
  testOptions,
  uniqueEmail,
  useTestKeycard,
} from './support/test-keycard.js';

const OLD = '20190520';
const CURRENT = '20200115';

const t = useTestKeycard({
  apiVersions: { supported: [OLD, CURRENT], defaultVersion: CURRENT, denied: [OLD] },
});

/**
 * A session created with OLD while it was still allowed: a Keycard on the same store, without the denial,
 * creates it (the test's own Keycard, which denies OLD, is the one restarted with KEYCARD_DENIED_API_VERSIONS).
 */
async function sessionCreatedBeforeTheDenial(): Promise<SignedInJson> {
  const before = createKeycard(
    { store: t.store, clock: t.clock },
    { ...testOptions, apiVersions: { supported: [OLD, CURRENT], defaultVersion: CURRENT } },
  );
  const app = await buildApp(before);
  try {
    return await registerUser(app, { api: OLD });
  } finally {
    await app.close(); // not before.close(): the store is the test's
  }
}

describe('KEYCARD_DENIED_API_VERSIONS', () => {
  it.each([
    ['the header', { headers: { 'x-api-version': OLD } }],
    ['the query string', { url: `/auth?api=${OLD}` }],
    ['the body', { body: { api: OLD } }],
  ])(
    'a registration naming a denied version in %s is refused with 426, and creates nothing',
    async (_n, how) => {
      const email = uniqueEmail();
      const response = await t.app.inject({
        method: 'POST',
        url: 'url' in how ? how.url : '/auth',
        headers: 'headers' in how ? how.headers : {},
        payload: { email, password: PASSWORD, ...('body' in how ? how.body : {}) },
      });
      expect(response.statusCode).toBe(426);
      expect(errorOf(response).code).toBe('api_version_denied');
      expect(await t.store.findUserByEmail(email)).toBeUndefined();
      // The same registration with a supported version goes through: nothing was half-done.
      await registerUser(t.app, { email, api: CURRENT });
    },
  );

  it('sign-in with a denied version is refused before any password is checked', async () => {
    const registered = await registerUser(t.app);
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      headers: { 'x-api-version': OLD },
      payload: { email: registered.user.email, password: PASSWORD },
    });
    expect(response.statusCode).toBe(426);
    expect(errorOf(response).code).toBe('api_version_denied');
    expect(await t.store.listUserSessions(registered.user.uuid)).toHaveLength(1);
  });

  it('an authenticated request naming a denied version is refused, whatever its session', async () => {
    const registered = await registerUser(t.app);
    const response = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: { ...bearer(registered.tokens.access_token), 'x-api-version': OLD },
    });
    expect(response.statusCode).toBe(426);
    expect(errorOf(response).code).toBe('api_version_denied');
  });

  it('a session created with a denied version is refused on every call, cached or not, even naming an allowed version', async () => {
    const old = await sessionCreatedBeforeTheDenial();
    for (let call = 0; call < 3; call += 1) {
      for (const url of ['/me', '/sessions']) {
        const response = await t.app.inject({
          method: 'GET',
          url,
          headers: { ...bearer(old.tokens.access_token), 'x-api-version': CURRENT },
        });
        expect(response.statusCode, `${url}, call ${call}`).toBe(426);
        expect(errorOf(response).code).toBe('api_version_denied');
      }
    }
    const refresh = await t.app.inject({
      method: 'POST',
      url: '/session/refresh',
      payload: { refresh_token: old.tokens.refresh_token },
    });
    expect(refresh.statusCode).toBe(426);
    expect(errorOf(refresh).code).toBe('api_version_denied');
    // Refused, not revoked: the session is still there for the administrator to revoke or the denial to lift.
    expect(await t.store.findSession(old.session.uuid)).toBeDefined();
  });

  it('a forged refresh token for such a session learns nothing about the denial', async () => {
    const old = await sessionCreatedBeforeTheDenial();
    const [uuid, generation] = old.tokens.refresh_token.split('.');
    const forged = `${uuid ?? ''}.${generation ?? ''}.${'A'.repeat(43)}`;
    const refresh = await t.app.inject({
      method: 'POST',
      url: '/session/refresh',
      payload: { refresh_token: forged },
    });
    expect(refresh.statusCode).toBe(401);
    expect(errorOf(refresh).code).toBe('refresh_token_invalid');
  });

  it('sessions of allowed versions are untouched, and the user can sign in again with one', async () => {
    const old = await sessionCreatedBeforeTheDenial();
    const again = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email: old.user.email, password: PASSWORD },
    });
    expect(again.statusCode).toBe(200);
    const current = again.json<SignedInJson>();
    expect(current.session.api_version).toBe(CURRENT);
    for (let call = 0; call < 3; call += 1) {
      expect(
        (await t.app.inject({ method: 'GET', url: '/me', headers: bearer(current.tokens.access_token) }))
          .statusCode,
      ).toBe(200);
    }
  });

  it('a version neither supported nor denied is still unsupported_api_version (400)', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth',
      headers: { 'x-api-version': '20991231' },
      payload: { email: uniqueEmail(), password: PASSWORD },
    });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).code).toBe('unsupported_api_version');
  });
});
