import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createHmac, hkdfSync } from 'node:crypto';
import { legacyPasswordHashOf, signLegacyJwt } from '../src/tokens/legacy-jwt.js';
import {
  bearer,
  errorOf,
  PASSWORD,
  registerUser,
  type SignedInJson,
  TEST_SECRET,
  uniqueEmail,
  useTestKeycard,
} from './support/test-keycard.js';

const t = useTestKeycard();

/** The legacy key a Keycard derives from its secret when none is configured (as `createKeycard` does). */
const DERIVED_LEGACY_KEY = new Uint8Array(
  hkdfSync('sha256', TEST_SECRET, new Uint8Array(), 'keycard legacy jwt v1', 32),
);

/** A compact HS256 JWS built by hand, for headers jose refuses to sign. */
function signHs256(header: object, payload: object, key: Uint8Array): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part(header)}.${part(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

interface LegacySignInJson {
  user: { uuid: string; email: string; version: string };
  token: string;
}

async function createLegacyAccount(): Promise<{ email: string; uuid: string }> {
  const email = uniqueEmail();
  const user = await t.keycard.admin.createUser({ email, password: PASSWORD }, '003');
  return { email, uuid: user.uuid };
}

async function legacySignIn(email: string): Promise<LegacySignInJson> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/auth/sign_in',
    payload: { email, password: PASSWORD },
  });
  expect(response.statusCode).toBe(200);
  return response.json<LegacySignInJson>();
}

function getMe(token: string, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'GET', url: '/me', headers: { ...bearer(token), ...headers } });
}

describe('legacy accounts (version 003) sign in to a JWT and no session', () => {
  it('sign-in answers {user, token}, and no session is created', async () => {
    const { email, uuid } = await createLegacyAccount();
    const signedIn = await legacySignIn(email);
    expect(Object.keys(signedIn).sort()).toEqual(['token', 'user']);
    expect(signedIn.user).toMatchObject({ uuid, email, version: '003' });
    expect(signedIn.token.split('.')).toHaveLength(3);
    expect(await t.store.listUserSessions(uuid)).toEqual([]);
    expect(t.events.at(-1)).toMatchObject({ type: 'signed_in', userUuid: uuid, sessionUuid: null });
  });

  it('the token is {user_uuid, pw_hash} under HS256, pw_hash being SHA-256 of the stored hash', async () => {
    const { email, uuid } = await createLegacyAccount();
    const { token } = await legacySignIn(email);
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>);
    expect(header).toMatchObject({ alg: 'HS256' });
    const stored = await t.store.findUserByUuid(uuid);
    expect(payload).toMatchObject({
      user_uuid: uuid,
      pw_hash: legacyPasswordHashOf(stored?.passwordHash ?? ''),
    });
  });

  it.each(['20190520', '20200115'])('GET /me accepts the token with API version %s', async (api) => {
    const { email, uuid } = await createLegacyAccount();
    const { token } = await legacySignIn(email);
    const response = await getMe(token, { 'x-api-version': api });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ user: { uuid, email, version: '003' }, session: null });
  });

  it('session routes refuse the token with session_required', async () => {
    const { email } = await createLegacyAccount();
    const { token } = await legacySignIn(email);
    for (const [method, url] of [
      ['GET', '/sessions'],
      ['POST', '/auth/sign_out'],
      ['DELETE', '/sessions'],
    ] as const) {
      const response = await t.app.inject({ method, url, headers: bearer(token) });
      expect(response.statusCode, `${method} ${url}`).toBe(401);
      expect(errorOf(response).code).toBe('session_required');
    }
  });

  it('a genuine legacy JWT for an account of version 004 fails with session_required', async () => {
    const registered = await registerUser(t.app);
    const stored = await t.store.findUserByUuid(registered.user.uuid);
    const token = await signLegacyJwt(DERIVED_LEGACY_KEY, {
      userUuid: registered.user.uuid,
      pwHash: legacyPasswordHashOf(stored?.passwordHash ?? ''),
    });
    for (const api of ['20190520', '20200115']) {
      const response = await getMe(token, { 'x-api-version': api });
      expect(response.statusCode).toBe(401);
      expect(errorOf(response).code).toBe('session_required');
    }
  });

  it('a token whose pw_hash is not the account’s current one is refused (a password change ends tokens)', async () => {
    const { uuid } = await createLegacyAccount();
    const token = await signLegacyJwt(DERIVED_LEGACY_KEY, {
      userUuid: uuid,
      pwHash: legacyPasswordHashOf('$argon2id$v=19$m=19456,t=2,p=1$an-older-password-hash'),
    });
    const response = await getMe(token);
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).code).toBe('token_invalid');
  });

  it('a disabled legacy account’s token is refused at once', async () => {
    const { email, uuid } = await createLegacyAccount();
    const { token } = await legacySignIn(email);
    expect((await getMe(token)).statusCode).toBe(200);
    await t.keycard.admin.disableUser(uuid);
    const response = await getMe(token);
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).code).toBe('token_invalid');
  });

  describe('forged tokens are refused with token_invalid', () => {
    const forgeries: [string, (uuid: string, pwHash: string) => Promise<string>][] = [
      [
        'signed with another key',
        (uuid, pwHash) => signLegacyJwt(new Uint8Array(32).fill(7), { userUuid: uuid, pwHash }),
      ],
      [
        'alg none',
        (uuid, pwHash) => Promise.resolve(new UnsecuredJWT({ user_uuid: uuid, pw_hash: pwHash }).encode()),
      ],
      [
        'alg NONE with the real signature kept',
        async (uuid, pwHash) => {
          const [, payload, signature] = (
            await signLegacyJwt(DERIVED_LEGACY_KEY, { userUuid: uuid, pwHash })
          ).split('.');
          const header = Buffer.from(JSON.stringify({ alg: 'NONE', typ: 'JWT' })).toString('base64url');
          return `${header}.${payload ?? ''}.${signature ?? ''}`;
        },
      ],
      [
        'a tampered payload (another user)',
        async (uuid, pwHash) => {
          const [header, , signature] = (
            await signLegacyJwt(DERIVED_LEGACY_KEY, { userUuid: uuid, pwHash })
          ).split('.');
          const payload = Buffer.from(
            JSON.stringify({ user_uuid: '00000000-0000-4000-8000-000000000000', pw_hash: pwHash }),
          ).toString('base64url');
          return `${header ?? ''}.${payload}.${signature ?? ''}`;
        },
      ],
      [
        'HS512 under the right key',
        (uuid, pwHash) =>
          new SignJWT({ user_uuid: uuid, pw_hash: pwHash })
            .setProtectedHeader({ alg: 'HS512' })
            .sign(new Uint8Array(64).fill(1)),
      ],
      [
        'typ at+jwt (an access token’s type)',
        (uuid, pwHash) =>
          new SignJWT({ user_uuid: uuid, pw_hash: pwHash })
            .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
            .sign(DERIVED_LEGACY_KEY),
      ],
      [
        'an audience (a token made for something else)',
        (uuid, pwHash) =>
          new SignJWT({ user_uuid: uuid, pw_hash: pwHash, aud: 'other-service' })
            .setProtectedHeader({ alg: 'HS256' })
            .sign(DERIVED_LEGACY_KEY),
      ],
      [
        'an unknown crit header',
        (uuid, pwHash) =>
          Promise.resolve(
            signHs256(
              { alg: 'HS256', crit: ['x-unknown'], 'x-unknown': 1 },
              { user_uuid: uuid, pw_hash: pwHash },
              DERIVED_LEGACY_KEY,
            ),
          ),
      ],
      [
        'no pw_hash',
        (uuid) =>
          new SignJWT({ user_uuid: uuid }).setProtectedHeader({ alg: 'HS256' }).sign(DERIVED_LEGACY_KEY),
      ],
    ];

    it.each(forgeries)('%s', async (_name, forge) => {
      const { uuid } = await createLegacyAccount();
      const stored = await t.store.findUserByUuid(uuid);
      const token = await forge(uuid, legacyPasswordHashOf(stored?.passwordHash ?? ''));
      const response = await getMe(token);
      expect(response.statusCode).toBe(401);
      expect(errorOf(response).code).toBe('token_invalid');
    });

    it('the genuine token of the same account is accepted (the forgeries fail for their flaw alone)', async () => {
      const { uuid } = await createLegacyAccount();
      const stored = await t.store.findUserByUuid(uuid);
      const token = await signLegacyJwt(DERIVED_LEGACY_KEY, {
        userUuid: uuid,
        pwHash: legacyPasswordHashOf(stored?.passwordHash ?? ''),
      });
      expect((await getMe(token)).statusCode).toBe(200);
    });
  });
});

describe('POST /auth/upgrade moves a legacy account to sessions', () => {
  it('checks the password, sets version 004, starts a session; the legacy token then needs a session', async () => {
    const { email, uuid } = await createLegacyAccount();
    const { token } = await legacySignIn(email);
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/upgrade',
      headers: { 'user-agent': 'upgrader/1.0' },
      payload: { email, password: PASSWORD, remember: false },
    });
    expect(response.statusCode).toBe(200);
    const upgraded = response.json<SignedInJson>();
    expect(upgraded.user).toMatchObject({ uuid, version: '004' });
    expect(upgraded.session.remember).toBe(false);
    expect((await getMe(upgraded.tokens.access_token)).json()).toMatchObject({
      user: { uuid, version: '004' },
      session: { uuid: upgraded.session.uuid },
    });

    const old = await getMe(token);
    expect(old.statusCode).toBe(401);
    expect(errorOf(old).code).toBe('session_required');

    const signIn = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email, password: PASSWORD },
    });
    expect(signIn.json<SignedInJson>().tokens.access_token).toEqual(expect.any(String));
  });

  it('a wrong password is invalid_credentials and the account stays legacy', async () => {
    const { email, uuid } = await createLegacyAccount();
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/upgrade',
      payload: { email, password: 'not the password at all' },
    });
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).code).toBe('invalid_credentials');
    expect((await t.store.findUserByUuid(uuid))?.version).toBe('003');
  });

  it('a current account just signs in', async () => {
    const registered = await registerUser(t.app);
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/upgrade',
      payload: { email: registered.user.email, password: PASSWORD },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json<SignedInJson>().user.version).toBe('004');
  });

  it.each([
    ['no password', { email: 'someone@example.com' }, 'password'],
    ['an unknown field', { email: 'someone@example.com', password: PASSWORD, version: '004' }, undefined],
    ['a number for an email', { email: 42, password: PASSWORD }, 'email'],
  ])('bad input (%s) is invalid_request', async (_name, payload, field) => {
    const response = await t.app.inject({ method: 'POST', url: '/auth/upgrade', payload });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).code).toBe('invalid_request');
    if (field !== undefined) expect(errorOf(response).field).toBe(field);
  });

  it('the administrator’s upgrade does the same', async () => {
    const { email, uuid } = await createLegacyAccount();
    const { token } = await legacySignIn(email);
    expect((await t.keycard.admin.upgradeUser(uuid))?.version).toBe('004');
    expect(errorOf(await getMe(token)).code).toBe('session_required');
    expect(await t.keycard.admin.upgradeUser('00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });
});

describe('legacy accounts and cookie transport', () => {
  it('a cookie sign-in of a legacy account is refused with session_required: no JWT in the page’s reach, no cookie', async () => {
    const { email } = await createLegacyAccount();
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      headers: { host: 'keycard.test', origin: 'http://keycard.test', 'x-keycard-csrf': '1' },
      payload: { email, password: PASSWORD, transport: 'cookie' },
    });
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).code).toBe('session_required');
    expect(response.body).not.toMatch(/eyJ/);
    expect(response.headers['set-cookie']).toBeUndefined();

    const upgraded = await t.app.inject({
      method: 'POST',
      url: '/auth/upgrade',
      headers: { host: 'keycard.test', origin: 'http://keycard.test', 'x-keycard-csrf': '1' },
      payload: { email, password: PASSWORD, transport: 'cookie' },
    });
    expect(upgraded.statusCode).toBe(200);
    expect(upgraded.json<Record<string, unknown>>()).not.toHaveProperty('tokens');
    expect(String(upgraded.headers['set-cookie'])).toContain('__Host-keycard=');
  });
});
