import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bearer,
  useTestKeycard,
  errorOf,
  registerUser,
  type SignedInJson,
  type TokensJson,
} from './support/test-keycard.js';

const t = useTestKeycard();

const HOUR_MS = 3600 * 1000;

interface RefreshedJson {
  session: SignedInJson['session'];
  tokens: TokensJson;
}

function refresh(payload: unknown, url = '/session/refresh') {
  return t.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> });
}

function me(accessToken: string) {
  return t.app.inject({ method: 'GET', url: '/me', headers: bearer(accessToken) });
}

/** Every hash the store keeps for a session: none may ever be sent to a client. */
async function storedHashesOf(sessionUuid: string): Promise<string[]> {
  const session = await t.store.findSession(sessionUuid);
  if (session === undefined) throw new Error(`no session ${sessionUuid}`);
  return [session.accessHash, session.refreshHash, session.previousRefreshHash].filter(
    (hash): hash is string => hash !== null,
  );
}

describe('POST /session/refresh', () => {
  it('rotates both tokens: 200, not cached, the old access token stops working, the new one works', async () => {
    const registered = await registerUser(t.app, { api: '20190520' });
    t.clock.advance(10 * 60 * 1000);
    const response = await refresh({ refresh_token: registered.tokens.refresh_token });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json<RefreshedJson>();
    expect(Object.keys(body).sort()).toEqual(['session', 'tokens']);
    expect(body.session).toMatchObject({
      uuid: registered.session.uuid,
      api_version: '20190520',
      updated_at: new Date(t.clock.now()).toISOString(),
    });
    expect(body.tokens).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_expires_in: 7 * 86_400,
    });
    expect(body.tokens.access_token).not.toBe(registered.tokens.access_token);
    expect(body.tokens.refresh_token).not.toBe(registered.tokens.refresh_token);
    for (const hash of await storedHashesOf(registered.session.uuid))
      expect(response.body).not.toContain(hash);

    expect((await me(body.tokens.access_token)).statusCode).toBe(200);
    const stale = await me(registered.tokens.access_token);
    expect(stale.statusCode).toBe(401);
    expect(errorOf(stale).code).toBe('token_invalid');
  });

  it('revives an expired access token: refreshing after the 3600 s access TTL works', async () => {
    const registered = await registerUser(t.app);
    t.clock.advance(HOUR_MS + 1000);
    const expired = await me(registered.tokens.access_token);
    expect(errorOf(expired).code).toBe('access_token_expired');
    const response = await refresh({ refresh_token: registered.tokens.refresh_token });
    expect(response.statusCode).toBe(200);
    expect((await me(response.json<RefreshedJson>().tokens.access_token)).statusCode).toBe(200);
  });

  it('answers a retry of the same token within the grace period with the same tokens', async () => {
    const registered = await registerUser(t.app);
    const first = await refresh({ refresh_token: registered.tokens.refresh_token });
    t.clock.advance(10 * 1000);
    const retry = await refresh({ refresh_token: registered.tokens.refresh_token });
    expect(retry.statusCode).toBe(200);
    expect(retry.json<RefreshedJson>().tokens.refresh_token).toBe(
      first.json<RefreshedJson>().tokens.refresh_token,
    );
    expect(retry.json<RefreshedJson>().tokens.access_token).toBe(
      first.json<RefreshedJson>().tokens.access_token,
    );
  });

  it('gives two simultaneous refreshes with the same token the same new tokens', async () => {
    const registered = await registerUser(t.app);
    const responses = await Promise.all(
      [1, 2, 3].map(() => refresh({ refresh_token: registered.tokens.refresh_token })),
    );
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200]);
    const refreshTokens = new Set(
      responses.map((response) => response.json<RefreshedJson>().tokens.refresh_token),
    );
    expect(refreshTokens.size).toBe(1);
    const [winner] = responses;
    expect((await me(winner?.json<RefreshedJson>().tokens.access_token ?? '')).statusCode).toBe(200);
  });

  it('treats a replaced token used after the grace period as theft and revokes the session', async () => {
    const registered = await registerUser(t.app);
    const rotated = (await refresh({ refresh_token: registered.tokens.refresh_token })).json<RefreshedJson>();
    t.clock.advance(31 * 1000);
    const reused = await refresh({ refresh_token: registered.tokens.refresh_token });
    expect(reused.statusCode).toBe(401);
    expect(errorOf(reused).code).toBe('refresh_token_reused');

    const victim = await me(rotated.tokens.access_token);
    expect(victim.statusCode).toBe(401);
    expect(errorOf(victim)).toMatchObject({ code: 'session_revoked', reason: 'refresh_reuse' });
    const again = await refresh({ refresh_token: rotated.tokens.refresh_token });
    expect(errorOf(again)).toMatchObject({ code: 'session_revoked', reason: 'refresh_reuse' });
  });

  it('refuses an idle short session with session_expired', async () => {
    const registered = await registerUser(t.app, { remember: false });
    t.clock.advance(91 * 60 * 1000);
    const response = await refresh({ refresh_token: registered.tokens.refresh_token });
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).code).toBe('session_expired');
  });

  it('tells the holder of a revoked session why it ended', async () => {
    const registered = await registerUser(t.app);
    await t.app.inject({
      method: 'POST',
      url: '/auth/sign_out',
      headers: bearer(registered.tokens.access_token),
    });
    const response = await refresh({ refresh_token: registered.tokens.refresh_token });
    expect(response.statusCode).toBe(401);
    expect(errorOf(response)).toMatchObject({ code: 'session_revoked', reason: 'sign_out' });
  });

  describe('refuses, leaving the session and its refresh token as they were,', () => {
    const secret = () => randomBytes(32).toString('base64url');
    it.each([
      ['no refresh_token', () => ({}), 'invalid_request', 'refresh_token'],
      ['an empty refresh_token', () => ({ refresh_token: '' }), 'invalid_request', 'refresh_token'],
      ['a numeric refresh_token', () => ({ refresh_token: 12345 }), 'invalid_request', 'refresh_token'],
      ['a null refresh_token', () => ({ refresh_token: null }), 'invalid_request', 'refresh_token'],
      [
        'an array of tokens',
        (s: SignedInJson) => ({ refresh_token: [s.tokens.refresh_token] }),
        'invalid_request',
        'refresh_token',
      ],
      [
        'an unknown field',
        (s: SignedInJson) => ({ refresh_token: s.tokens.refresh_token, scope: 'all' }),
        'invalid_request',
        'scope',
      ],
      [
        'a 300-character token',
        () => ({ refresh_token: 'a'.repeat(300) }),
        'invalid_request',
        'refresh_token',
      ],
      ['garbage', () => ({ refresh_token: 'not-a-token' }), 'refresh_token_invalid', undefined],
      [
        'the access token',
        (s: SignedInJson) => ({ refresh_token: s.tokens.access_token }),
        'refresh_token_invalid',
        undefined,
      ],
      [
        'a forged secret for the session',
        (s: SignedInJson) => ({ refresh_token: `${s.session.uuid}.0.${secret()}` }),
        'refresh_token_invalid',
        undefined,
      ],
      [
        'a later generation than exists',
        (s: SignedInJson) => ({ refresh_token: `${s.session.uuid}.5.${secret()}` }),
        'refresh_token_invalid',
        undefined,
      ],
      [
        'a token of an unknown session',
        () => ({ refresh_token: `${randomUUID()}.0.${secret()}` }),
        'refresh_token_invalid',
        undefined,
      ],
    ])('%s', async (_name, payloadFor, code, field) => {
      const registered = await registerUser(t.app);
      const response = await refresh(payloadFor(registered));
      expect(response.statusCode).toBe(code === 'invalid_request' ? 400 : 401);
      expect(errorOf(response)).toEqual({
        code,
        message: expect.any(String) as string,
        ...(field ? { field } : {}),
      });
      expect(response.body).not.toContain(registered.tokens.refresh_token);
      expect(response.body).not.toContain(registered.tokens.access_token);

      expect((await me(registered.tokens.access_token)).statusCode).toBe(200);
      const genuine = await refresh({ refresh_token: registered.tokens.refresh_token });
      expect(genuine.statusCode).toBe(200);
    });

    it('a refresh token in the query string', async () => {
      const registered = await registerUser(t.app);
      const token = encodeURIComponent(registered.tokens.refresh_token);
      const response = await t.app.inject({ method: 'POST', url: `/session/refresh?refresh_token=${token}` });
      expect(response.statusCode).toBe(400);
      expect(errorOf(response).code).toBe('invalid_request');
      expect(response.body).not.toContain(registered.tokens.refresh_token);
      expect((await me(registered.tokens.access_token)).statusCode).toBe(200);
    });
  });
});
