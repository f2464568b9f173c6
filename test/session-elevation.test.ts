import { describe, expect, it } from 'vitest';
import { defaultRateLimitPolicy } from '../src/core/rate-limit-policy.js';
import { requireElevated } from '../src/index.js';
import {
  bearer,
  errorOf,
  PASSWORD,
  registerUser,
  signInUser,
  type TokensJson,
  useTestKeycard,
} from './support/test-keycard.js';

const ELEVATION_MS = 600_000;

function elevate(
  t: ReturnType<typeof useTestKeycard>,
  accessToken: string,
  payload: Record<string, unknown>,
) {
  return t.app.inject({ method: 'POST', url: '/session/elevate', headers: bearer(accessToken), payload });
}

function meOf(t: ReturnType<typeof useTestKeycard>, accessToken: string) {
  return t.app.inject({ method: 'GET', url: '/me', headers: bearer(accessToken) });
}

describe('step-up ("permify") sessions', () => {
  const t = useTestKeycard({}, { auditLog: true });

  it('elevates the current session for the TTL with the right password; shown in /me; expires; wrong password refused', async () => {
    t.app.get('/sensitive', { preHandler: requireElevated() }, () => ({ ok: true }));
    const alice = await registerUser(t.app);
    const token = alice.tokens.access_token;
    const notYet = await t.app.inject({ method: 'GET', url: '/sensitive', headers: bearer(token) });
    expect(notYet.statusCode).toBe(403);
    expect(errorOf(notYet).code).toBe('elevation_required');

    const wrong = await elevate(t, token, { password: `${PASSWORD}!` });
    expect(wrong.statusCode).toBe(401);
    expect(errorOf(wrong).code).toBe('invalid_credentials');
    expect((await meOf(t, token)).json()).toMatchObject({ elevated_until: null });

    const elevated = await elevate(t, token, { password: PASSWORD });
    expect(elevated.statusCode).toBe(200);
    const until = new Date(t.clock.now() + ELEVATION_MS).toISOString();
    expect(elevated.json<{ elevated_until: string }>()).toEqual({ elevated_until: until });
    expect((await meOf(t, token)).json()).toMatchObject({ elevated_until: until });
    expect(
      (await t.app.inject({ method: 'GET', url: '/sensitive', headers: bearer(token) })).statusCode,
    ).toBe(200);
    const events = await t.keycard.listUserEvents(alice.user.uuid);
    expect(events.events.map((event) => event.type)).toContain('elevated');

    t.clock.advance(ELEVATION_MS);
    expect((await meOf(t, token)).json()).toMatchObject({ elevated_until: null });
    const lapsed = await t.app.inject({ method: 'GET', url: '/sensitive', headers: bearer(token) });
    expect(errorOf(lapsed).code).toBe('elevation_required');
  });

  it('belongs to the session: another session is not elevated, and a refresh keeps it without extending it', async () => {
    const alice = await registerUser(t.app);
    const phone = await signInUser(t.app, alice.user.email);
    await elevate(t, alice.tokens.access_token, { password: PASSWORD });
    const until = new Date(t.clock.now() + ELEVATION_MS).toISOString();
    expect((await meOf(t, phone.tokens.access_token)).json()).toMatchObject({ elevated_until: null });

    t.clock.advance(ELEVATION_MS / 2);
    const refreshed = await t.app.inject({
      method: 'POST',
      url: '/session/refresh',
      payload: { refresh_token: alice.tokens.refresh_token },
    });
    const tokens = refreshed.json<{ tokens: TokensJson }>().tokens;
    expect((await meOf(t, tokens.access_token)).json()).toMatchObject({ elevated_until: until });
    t.clock.advance(ELEVATION_MS / 2);
    expect((await meOf(t, tokens.access_token)).json()).toMatchObject({ elevated_until: null });
  });

  it('DELETE /session/elevate drops it at once ("depermify"); harmless without one', async () => {
    const alice = await registerUser(t.app);
    const token = alice.tokens.access_token;
    await elevate(t, token, { password: PASSWORD });
    const dropped = await t.app.inject({ method: 'DELETE', url: '/session/elevate', headers: bearer(token) });
    expect(dropped.statusCode).toBe(204);
    expect((await meOf(t, token)).json()).toMatchObject({ elevated_until: null });
    const again = await t.app.inject({ method: 'DELETE', url: '/session/elevate', headers: bearer(token) });
    expect(again.statusCode).toBe(204);
    // Another node (same store, no feed) reading the session sees no elevation either.
    const stored = await t.store.findSession(alice.session.uuid);
    expect(stored?.elevatedUntil).toBeNull();
  });

  it('refuses bad input and a missing token', async () => {
    const alice = await registerUser(t.app);
    const token = alice.tokens.access_token;
    for (const [payload, field] of [
      [{}, 'password'],
      [{ password: '' }, 'password'],
      [{ password: 1234 }, 'password'],
      [{ password: PASSWORD, admin: true }, 'admin'],
    ] as const) {
      const response = await elevate(t, token, payload);
      expect(response.statusCode).toBe(400);
      expect(errorOf(response)).toMatchObject({ code: 'invalid_request', field });
    }
    const noToken = await t.app.inject({
      method: 'POST',
      url: '/session/elevate',
      payload: { password: PASSWORD },
    });
    expect(errorOf(noToken).code).toBe('token_missing');
    const withBody = await t.app.inject({
      method: 'DELETE',
      url: '/session/elevate',
      headers: bearer(token),
      payload: { everything: true },
    });
    expect(errorOf(withBody)).toMatchObject({ code: 'invalid_request', field: 'everything' });
    expect((await meOf(t, token)).json()).toMatchObject({ elevated_until: null });
  });
});

describe('step-up rate limits', () => {
  const t = useTestKeycard({ rateLimits: defaultRateLimitPolicy });

  it('wrong passwords lock the account out like failed sign-ins; the right one is then refused too', async () => {
    const alice = await registerUser(t.app);
    const token = alice.tokens.access_token;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await elevate(t, token, { password: `wrong ${attempt}` })).statusCode).toBe(401);
    }
    const locked = await elevate(t, token, { password: PASSWORD });
    expect(locked.statusCode).toBe(429);
    expect(errorOf(locked).code).toBe('rate_limited');
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email: alice.user.email, password: PASSWORD },
    });
    expect(signIn.statusCode).toBe(429);
  });
});
