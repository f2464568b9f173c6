import { describe, expect, it } from 'vitest';
import type { KeycardEvent } from '../src/core/keycard-events.js';
import { bearer, useTestKeycard, PASSWORD, registerUser, type TokensJson } from './support/test-keycard.js';

const t = useTestKeycard();

/** The events without where they came from (a test of its own checks that). */
function withoutRequest(events: readonly KeycardEvent[]) {
  return events.map(({ request, ...event }) => event);
}

function refresh(refreshToken: string) {
  return t.app.inject({ method: 'POST', url: '/session/refresh', payload: { refresh_token: refreshToken } });
}

describe('events for metrics and the audit log', () => {
  it('tells registration, sign-in, failures, refreshes, retries, reuse and every way a session ends', async () => {
    const email = 'events@example.com';
    const first = await registerUser(t.app, { email });
    const userUuid = first.user.uuid;
    await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email, password: 'wrong password' },
    });
    await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email: 'nobody@example.com', password: PASSWORD },
    });
    const second = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email, password: PASSWORD },
    });
    const secondSession = second.json<{ session: { uuid: string }; tokens: TokensJson }>();

    const next = (await refresh(first.tokens.refresh_token)).json<{ tokens: TokensJson }>().tokens;
    await refresh(first.tokens.refresh_token); // grace retry
    t.clock.advance(60_000);
    await refresh(first.tokens.refresh_token); // reuse: first session revoked
    await t.app.inject({
      method: 'DELETE',
      url: '/sessions',
      headers: bearer(secondSession.tokens.access_token),
    });
    await t.app.inject({
      method: 'POST',
      url: '/auth/sign_out',
      headers: bearer(secondSession.tokens.access_token),
    });
    expect(next.access_token).not.toBe(first.tokens.access_token);

    const third = await registerUser(t.app, { remember: false });
    t.clock.advance(2 * 3600_000);
    await t.keycard.sweep();

    expect(withoutRequest(t.events)).toEqual([
      { type: 'registered', userUuid, sessionUuid: first.session.uuid },
      { type: 'sign_in_failed', userUuid },
      { type: 'sign_in_failed', userUuid: null },
      { type: 'signed_in', userUuid, sessionUuid: secondSession.session.uuid },
      { type: 'session_refreshed', userUuid, sessionUuid: first.session.uuid, retry: false },
      { type: 'session_refreshed', userUuid, sessionUuid: first.session.uuid, retry: true },
      { type: 'session_ended', userUuid, sessionUuid: first.session.uuid, reason: 'refresh_reuse' },
      { type: 'refresh_reuse_detected', userUuid, sessionUuid: first.session.uuid },
      { type: 'session_ended', userUuid, sessionUuid: secondSession.session.uuid, reason: 'sign_out' },
      { type: 'registered', userUuid: third.user.uuid, sessionUuid: third.session.uuid },
      {
        type: 'session_ended',
        userUuid: third.user.uuid,
        sessionUuid: third.session.uuid,
        reason: 'expired',
      },
    ]);
  });

  it('says which sessions "sign out the others" ended', async () => {
    const { user, tokens } = await registerUser(t.app, { email: 'others@example.com' });
    const other = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email: 'others@example.com', password: PASSWORD },
    });
    const otherUuid = other.json<{ session: { uuid: string } }>().session.uuid;
    t.events.length = 0;
    await t.app.inject({ method: 'DELETE', url: '/sessions', headers: bearer(tokens.access_token) });
    expect(withoutRequest(t.events)).toEqual([
      { type: 'session_ended', userUuid: user.uuid, sessionUuid: otherUuid, reason: 'revoked_others' },
    ]);
  });

  it('says where each request came from: its address and user agent; the sweep has none', async () => {
    const headers = { 'user-agent': 'events-test/1.0' };
    const { tokens } = await registerUser(t.app, { remember: false }, headers);
    await t.app.inject({
      method: 'POST',
      url: '/session/refresh',
      headers,
      payload: { refresh_token: tokens.refresh_token },
      remoteAddress: '203.0.113.9',
    });
    t.clock.advance(2 * 3600_000);
    await t.keycard.sweep();
    expect(t.events.map((event) => [event.type, event.request])).toEqual([
      ['registered', { ip: '127.0.0.1', userAgent: 'events-test/1.0' }],
      ['session_refreshed', { ip: '203.0.113.9', userAgent: 'events-test/1.0' }],
      ['session_ended', undefined],
    ]);
  });

  it('never puts a token, hash or password in an event', async () => {
    const { tokens } = await registerUser(t.app);
    await refresh(tokens.refresh_token);
    const text = JSON.stringify(t.events);
    for (const secret of [tokens.access_token, tokens.refresh_token, PASSWORD]) {
      expect(text).not.toContain(secret.split('.').at(-1));
    }
  });
});
