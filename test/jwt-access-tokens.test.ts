import { createHmac } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { signJwt } from '../src/tokens/sign-jwt.js';
import { generateSigningKey } from '../src/tokens/signing-key.js';
import { buildApp } from '../src/http/app.js';
import { createKeycard } from '../src/keycard.js';
import {
  bearer,
  PASSWORD,
  testOptions,
  errorOf,
  registerUser,
  signInUser,
  type TestKeycard,
  useTestKeycard,
} from './support/test-keycard.js';

const ISSUER = 'https://auth.example';
const jwtOptions = { jwt: { format: 'jwt' as const, issuer: ISSUER, audiences: ['api', 'keycard'] } };

const partsOf = (token: string) => {
  const [header = '', payload = ''] = token.split('.');
  const decode = (part: string) =>
    JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(header), payload: decode(payload) };
};
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function me(t: TestKeycard, token: string) {
  return t.app.inject({ method: 'GET', url: '/me', headers: bearer(token) });
}

async function jwks(t: TestKeycard) {
  const response = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
  expect(response.statusCode).toBe(200);
  return response.json<{ keys: Record<string, unknown>[] }>();
}

describe('JWT access tokens', () => {
  const t = useTestKeycard(jwtOptions);

  it('are at+jwt with the registered and Keycard claims, and authenticate GET /me', async () => {
    const { tokens, user, session } = await registerUser(t.app);
    const { header, payload } = partsOf(tokens.access_token);
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    expect(Object.keys(header).sort()).toEqual(['alg', 'kid', 'typ']);
    const now = t.clock.now() / 1000;
    expect(payload).toMatchObject({
      iss: ISSUER,
      sub: user.uuid,
      aud: ['api', 'keycard'],
      sid: session.uuid,
      ver: '004',
      api: '20200115',
      iat: now,
      nbf: now,
      exp: now + 900,
      kcp: 'access',
    });
    expect(payload.jti).toEqual(expect.any(String));
    expect(tokens.expires_in).toBe(900);
    // The refresh token stays opaque.
    expect(tokens.refresh_token.split('.')).toHaveLength(3);
    expect(tokens.refresh_token.startsWith('eyJ')).toBe(false);
    const response = await me(t, tokens.access_token);
    expect(response.statusCode).toBe(200);
    expect(response.json<{ user: { uuid: string } }>().user.uuid).toBe(user.uuid);
  });

  it('are answered from the in-process cache, with no store read, in the steady state', async () => {
    const { tokens } = await registerUser(t.app);
    expect((await me(t, tokens.access_token)).statusCode).toBe(200);
    const reads = { count: 0 };
    const find = t.store.findSessionAndUser.bind(t.store);
    t.store.findSessionAndUser = (uuid) => {
      reads.count += 1;
      return find(uuid);
    };
    expect(t.keycard.authenticateCached(tokens.access_token)).toBeDefined();
    for (let i = 0; i < 5; i += 1) expect((await me(t, tokens.access_token)).statusCode).toBe(200);
    expect(reads.count).toBe(0);
  });

  it('stop working when the session ends, with the reason', async () => {
    const { tokens } = await registerUser(t.app);
    expect(
      (await t.app.inject({ method: 'POST', url: '/auth/sign_out', headers: bearer(tokens.access_token) }))
        .statusCode,
    ).toBe(204);
    const response = await me(t, tokens.access_token);
    expect(response.statusCode).toBe(401);
    expect(errorOf(response)).toMatchObject({ code: 'session_revoked', reason: 'sign_out' });
  });

  it('already accepted are still checked on every request: a stamp, the end of the session, a forgery', async () => {
    const alice = await registerUser(t.app);
    const phone = await signInUser(t.app, alice.user.email);
    for (const session of [alice, phone]) {
      expect((await me(t, session.tokens.access_token)).statusCode).toBe(200);
      expect((await me(t, session.tokens.access_token)).statusCode).toBe(200);
    }
    const [header = '', , signature = ''] = phone.tokens.access_token.split('.');
    const forged = `${header}.${b64({ ...partsOf(phone.tokens.access_token).payload, sid: alice.session.uuid })}.${signature}`;
    expect(errorOf(await me(t, forged)).code).toBe('token_invalid');

    await t.app.inject({ method: 'POST', url: '/auth/sign_out', headers: bearer(phone.tokens.access_token) });
    expect(errorOf(await me(t, phone.tokens.access_token))).toMatchObject({ code: 'session_revoked' });
    t.clock.advance(1000);
    await t.keycard.admin.bumpStamp('user', alice.user.uuid);
    expect(errorOf(await me(t, alice.tokens.access_token)).code).toBe('claims_stale');
  });

  it('expire at exp (plus the clock skew) with access_token_expired, and refresh to a new JWT', async () => {
    const { tokens } = await registerUser(t.app);
    t.clock.advance(900_000 + 29_000);
    expect((await me(t, tokens.access_token)).statusCode).toBe(200);
    t.clock.advance(1000);
    const expired = await me(t, tokens.access_token);
    expect(errorOf(expired).code).toBe('access_token_expired');
    const refreshed = await t.app.inject({
      method: 'POST',
      url: '/session/refresh',
      payload: { refresh_token: tokens.refresh_token },
    });
    expect(refreshed.statusCode).toBe(200);
    const next = refreshed.json<{ tokens: { access_token: string } }>().tokens.access_token;
    expect(partsOf(next).header.typ).toBe('at+jwt');
    expect((await me(t, next)).statusCode).toBe(200);
  });

  it('refuses a refresh token, a forged token and an audience token where an access token is expected', async () => {
    const { tokens } = await registerUser(t.app);
    const { header, payload } = partsOf(tokens.access_token);
    const signature = tokens.access_token.split('.')[2] ?? '';
    const cases = [
      tokens.refresh_token,
      // Tampered payload.
      `${b64(header)}.${b64({ ...payload, sub: 'someone-else' })}.${signature}`,
      // alg none.
      `${b64({ alg: 'none', typ: 'at+jwt', kid: header.kid })}.${b64(payload)}.`,
      `${b64({ alg: 'NoNe', typ: 'at+jwt', kid: header.kid })}.${b64(payload)}.${signature}`,
      // Embedded key and key URL.
      `${b64({ ...header, jwk: { kty: 'OKP', crv: 'Ed25519', x: 'AAAA' } })}.${b64(payload)}.${signature}`,
      `${b64({ ...header, jku: 'https://evil.example/jwks' })}.${b64(payload)}.${signature}`,
      // A key Keycard does not know, and one of the right kid but another key.
      signJwt(generateSigningKey('EdDSA', 0), 'at+jwt', payload),
      signJwt({ ...generateSigningKey('EdDSA', 0), kid: String(header.kid) }, 'at+jwt', payload),
      // Wrong typ, issuer, audience; Keycard's audience-token purpose.
      `${tokens.access_token.split('.')[0]}.${b64({ ...payload, iss: 'https://evil.example' })}.${signature}`,
      signJwt({ ...generateSigningKey('EdDSA', 0), kid: String(header.kid) }, 'JWT', payload),
    ];
    for (const token of cases) {
      const response = await me(t, token);
      expect(response.statusCode, token).toBe(401);
      expect(errorOf(response).code, token).toBe('token_invalid');
    }
    // HS256 "signed" with the published public key as the secret.
    const published = (await jwks(t)).keys[0];
    const input = `${b64({ alg: 'HS256', kid: header.kid, typ: 'at+jwt' })}.${b64(payload)}`;
    const hmac = createHmac('sha256', JSON.stringify(published)).update(input).digest('base64url');
    expect(errorOf(await me(t, `${input}.${hmac}`)).code).toBe('token_invalid');
  });

  it('honour the stale-claims check, after the signature and claim checks', async () => {
    const { tokens, user, session } = await registerUser(t.app);
    const asked: unknown[] = [];
    let staleBefore = 0;
    const keycard = createKeycard(
      {
        store: t.store,
        clock: t.clock,
        isClaimsStale: (token) => {
          asked.push(token);
          return token.issuedAtMs < staleBefore;
        },
      },
      { ...testOptions, ...jwtOptions },
    );
    const app = await buildApp(keycard);
    try {
      const call = () => app.inject({ method: 'GET', url: '/me', headers: bearer(tokens.access_token) });
      expect((await call()).statusCode).toBe(200);
      expect(asked).toContainEqual({
        userUuid: user.uuid,
        sessionUuid: session.uuid,
        groupId: null,
        elevated: false,
        issuedAtMs: t.clock.now(),
      });
      staleBefore = t.clock.now() + 1;
      const refused = await call();
      expect(refused.statusCode).toBe(401);
      expect(errorOf(refused).code).toBe('claims_stale');
      expect(refused.headers['www-authenticate']).toContain('invalid_token');
      // A forged token is refused for what it is, before the stamps are asked.
      const count = asked.length;
      const forged = await app.inject({
        method: 'GET',
        url: '/me',
        headers: bearer(`${tokens.access_token}x`),
      });
      expect(errorOf(forged).code).toBe('token_invalid');
      expect(asked).toHaveLength(count);
    } finally {
      await app.close();
    }
  });
});

describe('JWT access tokens of a denied API version', () => {
  const t = useTestKeycard(jwtOptions);

  it('are refused with api_version_denied, as opaque ones are', async () => {
    const { tokens } = await registerUser(t.app, {}, { 'x-api-version': '20190520' });
    expect((await me(t, tokens.access_token)).statusCode).toBe(200);
    // Another Keycard on the same store, where that version has since been denied.
    const keycard = createKeycard(
      { store: t.store, clock: t.clock },
      {
        ...testOptions,
        ...jwtOptions,
        apiVersions: {
          supported: ['20190520', '20200115'],
          defaultVersion: '20200115',
          denied: ['20190520'],
        },
      },
    );
    const app = await buildApp(keycard);
    try {
      const refused = await app.inject({ method: 'GET', url: '/me', headers: bearer(tokens.access_token) });
      expect(refused.statusCode).toBe(426);
      expect(errorOf(refused).code).toBe('api_version_denied');
    } finally {
      await app.close();
    }
  });
});

describe('legacy (version 003) JWTs next to JWT access tokens', () => {
  const t = useTestKeycard(jwtOptions);

  it('still reach the legacy path, and are never taken for access tokens', async () => {
    const email = `legacy-${Date.now()}@example.com`;
    const user = await t.keycard.admin.createUser({ email, password: PASSWORD }, '003');
    const signedIn = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email, password: PASSWORD },
    });
    const { token } = signedIn.json<{ token: string }>();
    const response = await me(t, token);
    expect(response.statusCode).toBe(200);
    expect(response.json<{ user: { uuid: string }; session: null }>()).toMatchObject({
      user: { uuid: user.uuid },
      session: null,
    });
    // Where a session is needed, a legacy token is told to sign in, not taken for a broken access token.
    const sessions = await t.app.inject({ method: 'GET', url: '/sessions', headers: bearer(token) });
    expect(errorOf(sessions).code).toBe('session_required');
    // And a JWT access token is never accepted as a legacy one: its typ says what it is.
    const { tokens } = await registerUser(t.app);
    expect(
      (await t.app.inject({ method: 'GET', url: '/sessions', headers: bearer(tokens.access_token) }))
        .statusCode,
    ).toBe(200);
  });
});

describe('signing keys', () => {
  const t = useTestKeycard(jwtOptions);

  it('publish only public parameters, with kid, alg and use', async () => {
    await registerUser(t.app);
    const response = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    const { keys } = response.json<{ keys: Record<string, unknown>[] }>();
    expect(keys).toHaveLength(1);
    expect(Object.keys(keys[0] ?? {}).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
  });

  it('publish the issuer and jwks_uri for discovery', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ issuer: ISSUER, jwks_uri: `${ISSUER}/.well-known/jwks.json` });
    const bad = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json?x=1' });
    expect(errorOf(bad).code).toBe('invalid_request');
  });

  it('verify with an independent library (jose) from the JWKS', async () => {
    const { tokens, user } = await registerUser(t.app);
    const keySet = createLocalJWKSet(await jwks(t));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, keySet, {
      issuer: ISSUER,
      audience: 'api',
      typ: 'at+jwt',
      algorithms: ['EdDSA'],
      currentDate: new Date(t.clock.now()),
    });
    expect(payload.sub).toBe(user.uuid);
    expect(protectedHeader.alg).toBe('EdDSA');
  });

  it('are stored sealed: no key material in the clear', async () => {
    await registerUser(t.app);
    const [stored] = await t.store.listSigningKeys();
    const published = (await jwks(t)).keys[0] as { x: string };
    expect(stored?.sealedPrivateKey).toEqual(expect.any(String));
    expect(stored?.sealedPrivateKey).not.toContain(published.x);
    const info = await t.keycard.jwt.listSigningKeys();
    expect(info).toEqual([expect.objectContaining({ alg: 'EdDSA', state: 'signing', retiredAt: null })]);
  });

  it('rotate: a new key signs, the old one verifies until its last token expired', async () => {
    const before = await registerUser(t.app);
    const oldKid = partsOf(before.tokens.access_token).header.kid;
    t.clock.advance(1000);
    const rotated = await t.keycard.jwt.rotateSigningKey();
    expect(rotated.kid).not.toBe(oldKid);
    const after = await registerUser(t.app);
    expect(partsOf(after.tokens.access_token).header.kid).toBe(rotated.kid);
    expect((await jwks(t)).keys.map((key) => key.kid).sort()).toEqual([oldKid, rotated.kid].sort());
    expect((await me(t, before.tokens.access_token)).statusCode).toBe(200);
    const states = await t.keycard.jwt.listSigningKeys();
    expect(states.map((key) => key.state)).toEqual(['signing', 'verifying']);
    // After the longest a token lives, plus the skew and a reload interval, the old key is gone.
    t.clock.advance((900 + 30 + 60) * 1000 + 1);
    expect((await jwks(t)).keys.map((key) => key.kid)).toEqual([rotated.kid]);
    expect((await t.keycard.jwt.listSigningKeys()).map((key) => key.state)).toEqual(['signing', 'expired']);
  });

  it('are shared by every Keycard on the store: a second one verifies and signs with the same key', async () => {
    const { tokens } = await registerUser(t.app);
    const other = createKeycard({ store: t.store, clock: t.clock }, { ...testOptions, ...jwtOptions });
    const auth = await other.authenticate(tokens.access_token);
    expect(auth.session.uuid).toBeDefined();
    expect((await other.jwt.publicJwks()).keys).toEqual((await jwks(t)).keys);
  });
});

describe('a key from KEYCARD_JWT_KEY_FILE', () => {
  const fileKey = { ...generateSigningKey('ES256', 0), kid: 'file-key-1' };
  const t = useTestKeycard({ jwt: { ...jwtOptions.jwt, alg: 'ES256', fileKey } });

  it('is the only key: it signs, is published, is not stored, and is not rotated', async () => {
    const { tokens } = await registerUser(t.app);
    expect(partsOf(tokens.access_token).header).toMatchObject({ alg: 'ES256', kid: 'file-key-1' });
    expect((await me(t, tokens.access_token)).statusCode).toBe(200);
    expect((await jwks(t)).keys.map((key) => key.kid)).toEqual(['file-key-1']);
    expect(await t.store.listSigningKeys()).toEqual([]);
    await expect(t.keycard.jwt.rotateSigningKey()).rejects.toThrow(/KEYCARD_JWT_KEY_FILE/);
  });
});

describe('HS256 keys', () => {
  const t = useTestKeycard({ jwt: { ...jwtOptions.jwt, alg: 'HS256' } });

  it('sign and verify, and are never published', async () => {
    const { tokens } = await registerUser(t.app);
    expect(partsOf(tokens.access_token).header.alg).toBe('HS256');
    expect((await me(t, tokens.access_token)).statusCode).toBe(200);
    expect((await jwks(t)).keys).toEqual([]);
  });
});
