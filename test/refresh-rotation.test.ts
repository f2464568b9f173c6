import { describe, expect, it } from 'vitest';
import {
  bearer,
  useTestKeycard,
  errorCodeOf,
  registerUser,
  type TokensJson,
} from './support/test-keycard.js';

const t = useTestKeycard();

async function refresh(refreshToken: string) {
  return t.app.inject({ method: 'POST', url: '/session/refresh', payload: { refresh_token: refreshToken } });
}

async function refreshOk(refreshToken: string): Promise<TokensJson> {
  const response = await refresh(refreshToken);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ tokens: TokensJson }>().tokens;
}

async function me(accessToken: string) {
  return t.app.inject({ method: 'GET', url: '/me', headers: bearer(accessToken) });
}

describe('refresh token rotation', () => {
  it('rotates both tokens: the new pair works, the old access token does not', async () => {
    const { tokens } = await registerUser(t.app);
    const next = await refreshOk(tokens.refresh_token);
    expect(next.access_token).not.toBe(tokens.access_token);
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect((await me(next.access_token)).statusCode).toBe(200);
    expect(errorCodeOf(await me(tokens.access_token))).toBe('token_invalid');
    const nextAgain = await refreshOk(next.refresh_token);
    expect((await me(nextAgain.access_token)).statusCode).toBe(200);
  });

  it('slides the idle expiry on refresh but never past the absolute expiry', async () => {
    const { tokens } = await registerUser(t.app, { remember: false });
    // Short class: 90 min idle, 12 h absolute. Refresh every 80 min: the session lives until the 12 h cap.
    let current = tokens;
    for (let elapsedMinutes = 80; elapsedMinutes < 12 * 60; elapsedMinutes += 80) {
      t.clock.advance(80 * 60_000);
      current = await refreshOk(current.refresh_token);
      expect(current.refresh_expires_in).toBeLessThanOrEqual(90 * 60);
    }
    t.clock.advance(80 * 60_000); // now past 12 h
    const late = await refresh(current.refresh_token);
    expect(errorCodeOf(late)).toBe('session_expired');
  });
});

describe('a short-lived class shorter than the access TTL', () => {
  const short = useTestKeycard({
    lifetimes: {
      short: { idleSeconds: 20 * 60, absoluteSeconds: 30 * 60 },
      long: { idleSeconds: 7 * 86_400, absoluteSeconds: 90 * 86_400 },
      anonymous: { idleSeconds: 7 * 86_400, absoluteSeconds: 30 * 86_400 },
    },
  });

  it('caps the access token lifetime at the session’s absolute expiry', async () => {
    const { tokens } = await registerUser(short.app, { remember: false });
    expect(tokens.expires_in).toBe(30 * 60); // not the 3600 s access TTL
    short.clock.advance(15 * 60_000);
    const response = await short.app.inject({
      method: 'POST',
      url: '/session/refresh',
      payload: { refresh_token: tokens.refresh_token },
    });
    const next = response.json<{ tokens: TokensJson }>().tokens;
    expect(next.expires_in).toBe(15 * 60);
    expect(next.refresh_expires_in).toBe(15 * 60);
    short.clock.advance(15 * 60_000);
    const me = await short.app.inject({ method: 'GET', url: '/me', headers: bearer(next.access_token) });
    expect(errorCodeOf(me)).toBe('session_expired');
  });
});

describe('grace period retry', () => {
  it('returns the same successor pair when the just-used token is presented again within the grace', async () => {
    const { tokens } = await registerUser(t.app);
    const first = await refreshOk(tokens.refresh_token);
    t.clock.advance(29_000);
    const retry = await refreshOk(tokens.refresh_token);
    expect(retry.access_token).toBe(first.access_token);
    expect(retry.refresh_token).toBe(first.refresh_token);
    expect((await me(first.access_token)).statusCode).toBe(200);
    // The chain goes on from the one successor.
    expect((await refresh(first.refresh_token)).statusCode).toBe(200);
  });

  it('treats the just-used token after the grace as reuse and revokes the session', async () => {
    const { tokens } = await registerUser(t.app);
    const first = await refreshOk(tokens.refresh_token);
    t.clock.advance(31_000);
    const reused = await refresh(tokens.refresh_token);
    expect(reused.statusCode).toBe(401);
    expect(errorCodeOf(reused)).toBe('refresh_token_reused');
    // The whole session is gone: the successor's tokens are refused and say why.
    const afterwards = await me(first.access_token);
    expect(afterwards.json()).toMatchObject({ error: { code: 'session_revoked', reason: 'refresh_reuse' } });
    const successorRefresh = await refresh(first.refresh_token);
    expect(successorRefresh.json()).toMatchObject({
      error: { code: 'session_revoked', reason: 'refresh_reuse' },
    });
  });
});

describe('reuse detection', () => {
  it('revokes the session when an older token of the chain comes back, even within the grace', async () => {
    const { tokens } = await registerUser(t.app);
    const second = await refreshOk(tokens.refresh_token);
    const third = await refreshOk(second.refresh_token);
    const stale = await refresh(tokens.refresh_token); // two generations old
    expect(errorCodeOf(stale)).toBe('refresh_token_reused');
    expect(errorCodeOf(await me(third.access_token))).toBe('session_revoked');
  });

  it('refuses a forged refresh token without revoking the session it names', async () => {
    const { session, tokens } = await registerUser(t.app);
    const forged = `${session.uuid}.0.${'A'.repeat(43)}`;
    expect(errorCodeOf(await refresh(forged))).toBe('refresh_token_invalid');
    const forgedOlder = `${session.uuid}.5.${'B'.repeat(43)}`;
    expect(errorCodeOf(await refresh(forgedOlder))).toBe('refresh_token_invalid');
    expect((await me(tokens.access_token)).statusCode).toBe(200);
    expect((await refresh(tokens.refresh_token)).statusCode).toBe(200);
  });

  it('refuses an access token presented as a refresh token and vice versa', async () => {
    const { tokens } = await registerUser(t.app);
    expect(errorCodeOf(await refresh(tokens.access_token))).toBe('refresh_token_invalid');
    expect(errorCodeOf(await me(tokens.refresh_token))).toBe('token_invalid');
    expect((await me(tokens.access_token)).statusCode).toBe(200);
  });
});

describe('concurrent refreshes', () => {
  it('ten concurrent refreshes of one token leave exactly one live successor', async () => {
    const { tokens } = await registerUser(t.app);
    const responses = await Promise.all(Array.from({ length: 10 }, () => refresh(tokens.refresh_token)));
    const successors = new Set(
      responses.map((response) => {
        expect(response.statusCode, response.body).toBe(200);
        return response.json<{ tokens: TokensJson }>().tokens.refresh_token;
      }),
    );
    expect(successors.size).toBe(1);
    const [successor = ''] = successors;
    expect((await refresh(successor)).statusCode).toBe(200);
  });

  it('concurrent refreshes through the domain API agree as well', async () => {
    const { tokens } = await registerUser(t.app);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => t.keycard.refresh(tokens.refresh_token)),
    );
    const accessTokens = new Set(
      results.map((result) => (result.status === 'fulfilled' ? result.value.tokens.accessToken : 'rejected')),
    );
    expect(accessTokens.size).toBe(1);
    expect(accessTokens.has('rejected')).toBe(false);
  });
});
