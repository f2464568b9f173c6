import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseClaimsRegistry } from '../src/core/claims-registry.js';
import {
  bearer,
  errorOf,
  PASSWORD,
  registerUser,
  type TestKeycard,
  type TokensJson,
  useTestKeycard,
} from './support/test-keycard.js';

const ISSUER = 'https://auth.example';
const SERVICE_KEY = 'a-service-key-of-at-least-32-characters!';
const jwt = {
  format: 'jwt' as const,
  issuer: ISSUER,
  audiences: ['keycard'],
  claims: parseClaimsRegistry(
    JSON.stringify([{ name: 'email', type: 'string', audiences: ['keycard'], readers: 'clients' }]),
  ),
};

interface AnonymousJson {
  session: { uuid: string; anonymous_id: string };
  tokens: TokensJson;
}

const payloadOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

async function anonymous(t: TestKeycard): Promise<AnonymousJson> {
  const response = await t.app.inject({ method: 'POST', url: '/auth/anonymous' });
  expect(response.statusCode).toBe(201);
  return response.json<AnonymousJson>();
}

async function introspect(t: TestKeycard, token: string) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/introspect',
    headers: bearer(SERVICE_KEY),
    payload: { token },
  });
  expect(response.statusCode).toBe(200);
  return response.json<Record<string, unknown>>();
}

describe('anonymous sessions with JWT access tokens', () => {
  const t = useTestKeycard({ jwt }, { app: { serviceKeys: [SERVICE_KEY] } });

  it('have their anonymous id as sub, anon: true and aid, no ver and no custom claims; standard libraries verify them', async () => {
    const started = await anonymous(t);
    const token = started.tokens.access_token;
    const payload = payloadOf(token);
    const now = t.clock.now() / 1000;
    expect(payload).toEqual({
      iss: ISSUER,
      sub: started.session.anonymous_id,
      aud: 'keycard',
      exp: now + 900,
      iat: now,
      nbf: now,
      jti: expect.any(String) as string,
      sid: started.session.uuid,
      api: '20200115',
      kcp: 'access',
      anon: true,
      aid: started.session.anonymous_id,
    });
    const keys = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{
      keys: Parameters<typeof createLocalJWKSet>[0]['keys'];
    }>();
    const verified = await jwtVerify(token, createLocalJWKSet({ keys: keys.keys }), {
      issuer: ISSUER,
      audience: 'keycard',
      typ: 'at+jwt',
      currentDate: new Date(t.clock.now()),
    });
    expect(verified.payload.sub).toBe(started.session.anonymous_id);
  });

  it('authenticate GET /me (user null) and sign-out, and get account_required where an account is needed', async () => {
    const started = await anonymous(t);
    const me = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: bearer(started.tokens.access_token),
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ user: null, session: { anonymous_id: started.session.anonymous_id } });
    const sessions = await t.app.inject({
      method: 'GET',
      url: '/sessions',
      headers: bearer(started.tokens.access_token),
    });
    expect(sessions.statusCode).toBe(403);
    expect(errorOf(sessions).code).toBe('account_required');
    const signedOut = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_out',
      headers: bearer(started.tokens.access_token),
    });
    expect(signedOut.statusCode).toBe(204);
    const after = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: bearer(started.tokens.access_token),
    });
    expect(errorOf(after)).toMatchObject({ code: 'session_revoked', reason: 'sign_out' });
  });

  it('refresh to a new JWT with the same sub and aid', async () => {
    const started = await anonymous(t);
    t.clock.advance(1000);
    const response = await t.app.inject({
      method: 'POST',
      url: '/session/refresh',
      payload: { refresh_token: started.tokens.refresh_token },
    });
    const payload = payloadOf(response.json<{ tokens: TokensJson }>().tokens.access_token);
    expect(payload).toMatchObject({
      sub: started.session.anonymous_id,
      aid: started.session.anonymous_id,
      anon: true,
      sid: started.session.uuid,
    });
  });

  it('an upgrade gives a user’s JWT (sub the user, aid the anonymous id, no anon) and the anonymous JWT is refused at once', async () => {
    const { user } = await registerUser(t.app);
    const started = await anonymous(t);
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      headers: bearer(started.tokens.access_token),
      payload: { email: user.email, password: PASSWORD },
    });
    expect(response.statusCode).toBe(200);
    const payload = payloadOf(response.json<{ tokens: TokensJson }>().tokens.access_token);
    expect(payload).toMatchObject({
      sub: user.uuid,
      aid: started.session.anonymous_id,
      ver: '004',
      email: user.email,
    });
    expect(payload).not.toHaveProperty('anon');
    const after = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: bearer(started.tokens.access_token),
    });
    expect(after.statusCode).toBe(401);
    expect(errorOf(after)).toMatchObject({ code: 'session_revoked', reason: 'upgraded' });
    expect(await introspect(t, started.tokens.access_token)).toEqual({ active: false });
  });

  it('a user’s JWT with no anonymous origin carries neither aid nor anon', async () => {
    const { user, tokens } = await registerUser(t.app);
    const payload = payloadOf(tokens.access_token);
    expect(payload).toMatchObject({ sub: user.uuid, ver: '004', email: user.email });
    expect(payload).not.toHaveProperty('aid');
    expect(payload).not.toHaveProperty('anon');
  });

  it('introspection says a live anonymous token is active, about its anonymous id', async () => {
    const started = await anonymous(t);
    expect(await introspect(t, started.tokens.access_token)).toMatchObject({
      active: true,
      sub: started.session.anonymous_id,
      sid: started.session.uuid,
      anon: true,
      aid: started.session.anonymous_id,
      token_type: 'access_token',
    });
  });
});

describe('introspecting an anonymous session’s opaque token', () => {
  const t = useTestKeycard({}, { app: { serviceKeys: [SERVICE_KEY] } });

  it('is active, about its anonymous id, until the session ends', async () => {
    const started = await anonymous(t);
    expect(await introspect(t, started.tokens.access_token)).toMatchObject({
      active: true,
      sub: started.session.anonymous_id,
      anon: true,
      aid: started.session.anonymous_id,
    });
    await t.app.inject({
      method: 'POST',
      url: '/auth/sign_out',
      headers: bearer(started.tokens.access_token),
    });
    expect(await introspect(t, started.tokens.access_token)).toEqual({ active: false });
  });
});
