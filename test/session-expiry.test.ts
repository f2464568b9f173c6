import { describe, expect, it, vi } from 'vitest';
import { bearer, useTestKeycard, errorCodeOf, registerUser } from './support/test-keycard.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const t = useTestKeycard();

async function me(accessToken: string) {
  return t.app.inject({ method: 'GET', url: '/me', headers: bearer(accessToken) });
}

async function refresh(refreshToken: string) {
  return t.app.inject({ method: 'POST', url: '/session/refresh', payload: { refresh_token: refreshToken } });
}

describe('access token expiry', () => {
  it('expires the access token after its TTL and tells the client to refresh', async () => {
    const { tokens } = await registerUser(t.app);
    t.clock.advance(3599_000);
    expect((await me(tokens.access_token)).statusCode).toBe(200);
    t.clock.advance(1000);
    const expired = await me(tokens.access_token);
    expect(expired.statusCode).toBe(401);
    expect(errorCodeOf(expired)).toBe('access_token_expired');
    expect(expired.headers['www-authenticate']).toContain('error="invalid_token"');
    expect((await refresh(tokens.refresh_token)).statusCode).toBe(200);
  });
});

describe.each([
  { remember: false, idle: 90 * MINUTE, absolute: 12 * HOUR, step: 80 * MINUTE },
  { remember: true, idle: 7 * DAY, absolute: 90 * DAY, step: 6 * DAY },
])('lifetime class remember=$remember', ({ remember, idle, absolute, step }) => {
  it('expires after the idle timeout without activity', async () => {
    const { tokens } = await registerUser(t.app, { remember });
    t.clock.advance(idle - 1000);
    expect((await refresh(tokens.refresh_token)).statusCode).toBe(200);
    const { tokens: later } = await registerUser(t.app, { remember });
    t.clock.advance(idle);
    const response = await refresh(later.refresh_token);
    expect(errorCodeOf(response)).toBe('session_expired');
  });

  it('stays alive with activity but ends at the absolute expiry', async () => {
    const { tokens } = await registerUser(t.app, { remember });
    let current = tokens;
    let elapsed = 0;
    while (elapsed + step < absolute) {
      t.clock.advance(step);
      elapsed += step;
      const response = await refresh(current.refresh_token);
      expect(response.statusCode, `at ${elapsed / MINUTE} min`).toBe(200);
      current = response.json<{ tokens: typeof tokens }>().tokens;
    }
    t.clock.advance(absolute - elapsed);
    expect(errorCodeOf(await refresh(current.refresh_token))).toBe('session_expired');
  });

  it('answers session_expired for the access token too, and keeps answering after the sweep', async () => {
    const { tokens } = await registerUser(t.app, { remember });
    t.clock.advance(idle);
    expect(errorCodeOf(await me(tokens.access_token))).toBe('session_expired');
    const { tokens: other } = await registerUser(t.app, { remember });
    t.clock.advance(idle);
    const swept = await t.keycard.sweep();
    expect(swept.expired).toBe(1);
    expect(errorCodeOf(await me(other.access_token))).toBe('session_expired');
    expect(errorCodeOf(await refresh(other.refresh_token))).toBe('session_expired');
  });
});

describe('activity tracking', () => {
  it('writes last activity at most once a minute per session', async () => {
    const { tokens, session } = await registerUser(t.app);
    const touch = vi.spyOn(t.store, 'touchSession');
    for (let request = 0; request < 20; request += 1) {
      t.clock.advance(5_000); // 100 s in all
      expect((await me(tokens.access_token)).statusCode).toBe(200);
    }
    expect(touch).toHaveBeenCalledTimes(1);
    const stored = await t.store.findSession(session.uuid);
    expect(stored?.updatedAt).toBe(new Date(session.expires_at).getTime() - 7 * DAY + 60_000);
  });

  it('serves authenticated requests from the cache without reading the store', async () => {
    const { tokens } = await registerUser(t.app);
    const reads = vi.spyOn(t.store, 'findSessionAndUser');
    for (let request = 0; request < 10; request += 1) {
      expect((await me(tokens.access_token)).statusCode).toBe(200);
    }
    expect(reads).not.toHaveBeenCalled();
  });
});

describe('sweep', () => {
  it('moves only expired sessions and prunes tombstones after 30 days', async () => {
    const short = await registerUser(t.app, { remember: false });
    t.clock.advance(2 * HOUR);
    const long = await registerUser(t.app, { remember: true });
    expect(await t.keycard.sweep()).toEqual({ expired: 1, pruned: 0 });
    expect((await me(long.tokens.access_token)).statusCode).toBe(200);
    expect(await t.store.findRevokedSession(short.session.uuid)).toMatchObject({ reason: 'expired' });

    t.clock.advance(31 * DAY);
    const result = await t.keycard.sweep();
    expect(result.pruned).toBe(1);
    expect(result.expired).toBe(1); // the long session, idle for 31 days
    expect(await t.store.findRevokedSession(short.session.uuid)).toBeUndefined();
    // A token of a pruned session is simply invalid.
    expect(errorCodeOf(await me(short.tokens.access_token))).toBe('token_invalid');
  });
});
