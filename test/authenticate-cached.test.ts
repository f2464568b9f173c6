import { describe, expect, it } from 'vitest';
import { bearer, registerUser, useTestKeycard } from './support/test-keycard.js';

const t = useTestKeycard();
const MINUTE = 60_000;

/** The synchronous fast path of authentication: it may only accept what `authenticate` would accept. */
describe('authenticateCached', () => {
  it('accepts a cached session whose token matches, giving what authenticate gives', async () => {
    const { session, tokens } = await registerUser(t.app);
    const slow = await t.keycard.authenticate(tokens.access_token);
    const fast = t.keycard.authenticateCached(tokens.access_token);
    expect(fast?.session.uuid).toBe(session.uuid);
    expect(fast?.user.uuid).toBe(slow.user.uuid);
    expect(fast).not.toHaveProperty('user.passwordHash');
  });

  it('answers undefined, never an error, for anything it cannot accept by itself', async () => {
    const { session, tokens } = await registerUser(t.app);
    const [id = '', secret = ''] = tokens.access_token.split('.');
    const forged = `${id}.${secret.startsWith('A') ? 'B' : 'A'}${secret.slice(1)}`;
    for (const token of [
      '',
      'not-a-token',
      `${id}.`,
      `${id}.${'A'.repeat(43)}`,
      forged,
      `${id}.${secret}x`,
    ]) {
      expect(t.keycard.authenticateCached(token)).toBeUndefined();
    }
    expect(t.keycard.authenticateCached(tokens.access_token)?.session.uuid).toBe(session.uuid);
  });

  it('leaves a revoked session, an expired access token and a due activity write to authenticate', async () => {
    const first = await registerUser(t.app);
    expect(t.keycard.authenticateCached(first.tokens.access_token)).toBeDefined();

    // Activity is written at most once a minute: when it is due, the fast path steps aside.
    t.clock.advance(MINUTE);
    expect(t.keycard.authenticateCached(first.tokens.access_token)).toBeUndefined();
    await t.keycard.authenticate(first.tokens.access_token);
    expect(t.keycard.authenticateCached(first.tokens.access_token)).toBeDefined();

    // An access token past its TTL (3600 s) is never accepted here; authenticate refuses it.
    t.clock.advance(3600 * 1000);
    expect(t.keycard.authenticateCached(first.tokens.access_token)).toBeUndefined();
    await expect(t.keycard.authenticate(first.tokens.access_token)).rejects.toMatchObject({
      code: 'access_token_expired',
    });

    const second = await registerUser(t.app);
    expect(t.keycard.authenticateCached(second.tokens.access_token)).toBeDefined();
    const signOut = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_out',
      headers: bearer(second.tokens.access_token),
    });
    expect(signOut.statusCode).toBe(204);
    expect(t.keycard.authenticateCached(second.tokens.access_token)).toBeUndefined();
    const me = await t.app.inject({ method: 'GET', url: '/me', headers: bearer(second.tokens.access_token) });
    expect(me.json()).toMatchObject({ error: { code: 'session_revoked', reason: 'sign_out' } });
  });
});
