import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  bearer,
  errorOf,
  PASSWORD,
  registerUser,
  type SignedInJson,
  type TokensJson,
  useTestKeycard,
} from './support/test-keycard.js';

const t = useTestKeycard({}, { auditLog: true });

interface EventJson {
  type: string;
  session_uuid: string | null;
  reason: string | null;
  ip: string | null;
  user_agent: string | null;
  occurred_at: string;
  actor_uuid: string | null;
  role: string | null;
  permission: string | null;
}

interface EventsJson {
  events: EventJson[];
  next_cursor: string | null;
}

function getEvents(accessToken: string | undefined, query = ''): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'GET',
    url: `/me/events${query}`,
    headers: accessToken === undefined ? {} : bearer(accessToken),
  });
}

async function pageOf(accessToken: string, query = ''): Promise<EventsJson> {
  const response = await getEvents(accessToken, query);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<EventsJson>();
}

/** Refreshes `times` times, a second apart; returns the last pair. */
async function refreshTimes(tokens: TokensJson, times: number): Promise<TokensJson> {
  let current = tokens;
  for (let n = 0; n < times; n += 1) {
    t.clock.advance(1000);
    const response = await t.app.inject({
      method: 'POST',
      url: '/session/refresh',
      payload: { refresh_token: current.refresh_token },
      headers: { 'user-agent': 'events-client/2.0' },
      remoteAddress: '192.0.2.10',
    });
    expect(response.statusCode).toBe(200);
    current = response.json<{ tokens: TokensJson }>().tokens;
  }
  return current;
}

async function userWithEvents(refreshes: number): Promise<{ signedIn: SignedInJson; tokens: TokensJson }> {
  const signedIn = await registerUser(t.app, {}, { 'user-agent': 'events-client/1.0' });
  return { signedIn, tokens: await refreshTimes(signedIn.tokens, refreshes) };
}

describe('GET /me/events', () => {
  it('answers the caller’s events newest first, with session, reason, address, user agent and time, and nothing else', async () => {
    const { signedIn, tokens } = await userWithEvents(1);
    const other = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email: signedIn.user.email, password: PASSWORD },
    });
    const otherSession = other.json<SignedInJson>();
    await t.app.inject({
      method: 'DELETE',
      url: '/session',
      headers: bearer(tokens.access_token),
      payload: { uuid: otherSession.session.uuid },
    });

    const response = await getEvents(tokens.access_token);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const start = Date.UTC(2026, 0, 1);
    expect(response.json<EventsJson>()).toEqual({
      events: [
        {
          type: 'revoked',
          session_uuid: otherSession.session.uuid,
          reason: 'revoked',
          ip: '127.0.0.1',
          user_agent: 'lightMyRequest',
          occurred_at: new Date(start + 1000).toISOString(),
          actor_uuid: null,
          role: null,
          permission: null,
        },
        {
          type: 'created',
          session_uuid: otherSession.session.uuid,
          reason: null,
          ip: '127.0.0.1',
          user_agent: 'lightMyRequest',
          occurred_at: new Date(start + 1000).toISOString(),
          actor_uuid: null,
          role: null,
          permission: null,
        },
        {
          type: 'refreshed',
          session_uuid: signedIn.session.uuid,
          reason: null,
          ip: '192.0.2.10',
          user_agent: 'events-client/2.0',
          occurred_at: new Date(start + 1000).toISOString(),
          actor_uuid: null,
          role: null,
          permission: null,
        },
        {
          type: 'created',
          session_uuid: signedIn.session.uuid,
          reason: null,
          ip: '127.0.0.1',
          user_agent: 'events-client/1.0',
          occurred_at: new Date(start).toISOString(),
          actor_uuid: null,
          role: null,
          permission: null,
        },
      ],
      next_cursor: null,
    });
  });

  it('pages by limit and cursor without repeating or skipping events, even when new ones arrive between pages', async () => {
    const { signedIn, tokens } = await userWithEvents(4); // created + 4 refreshed
    const all = await pageOf(tokens.access_token);
    expect(all.events.map((event) => event.type)).toEqual([
      'refreshed',
      'refreshed',
      'refreshed',
      'refreshed',
      'created',
    ]);
    expect(all.next_cursor).toBeNull();

    const first = await pageOf(tokens.access_token, '?limit=2');
    expect(first.events).toEqual(all.events.slice(0, 2));
    expect(first.next_cursor).toEqual(expect.any(String));
    // A newer event does not shift the next page.
    const latest = await refreshTimes(tokens, 1);
    const second = await pageOf(latest.access_token, `?limit=2&cursor=${first.next_cursor ?? ''}`);
    expect(second.events).toEqual(all.events.slice(2, 4));
    const third = await pageOf(latest.access_token, `?limit=2&cursor=${second.next_cursor ?? ''}`);
    expect(third).toEqual({ events: all.events.slice(4), next_cursor: null });
    // The same cursor gives the same page again.
    expect(await pageOf(latest.access_token, `?limit=2&cursor=${first.next_cursor ?? ''}`)).toEqual(second);
    expect(all.events.at(-1)?.session_uuid).toBe(signedIn.session.uuid);

    expect((await pageOf(latest.access_token, '?limit=100&api=20190520')).events).toHaveLength(6);
  });

  it('shows only the caller’s own events, including failed sign-ins to their account, and not another user’s', async () => {
    const a = await userWithEvents(0);
    const b = await userWithEvents(1);
    await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email: a.signedIn.user.email, password: 'wrong password!' },
      remoteAddress: '198.51.100.23',
    });

    const ofA = await pageOf(a.tokens.access_token);
    expect(ofA.events.map((event) => [event.type, event.session_uuid, event.ip])).toEqual([
      ['sign_in_failed', null, '198.51.100.23'],
      ['created', a.signedIn.session.uuid, '127.0.0.1'],
    ]);
    const ofB = await pageOf(b.tokens.access_token);
    expect(ofB.events.map((event) => [event.type, event.session_uuid])).toEqual([
      ['refreshed', b.signedIn.session.uuid],
      ['created', b.signedIn.session.uuid],
    ]);
  });

  it('refuses a bad limit, a bad or another user’s cursor and unknown fields with invalid_request naming the field', async () => {
    const a = await userWithEvents(2);
    const b = await userWithEvents(2);
    const cursorOfB = (await pageOf(b.tokens.access_token, '?limit=1')).next_cursor ?? '';
    const cursorOfA = (await pageOf(a.tokens.access_token, '?limit=1')).next_cursor ?? '';
    expect(cursorOfB).not.toBe('');
    const tampered = Buffer.from(
      Buffer.from(cursorOfA, 'base64url').toString('utf8').replace(/^\d+/, 'x'),
    ).toString('base64url');

    const cases: [string, string][] = [
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=-1', 'limit'],
      ['?limit=2.5', 'limit'],
      ['?limit=ten', 'limit'],
      ['?limit=', 'limit'],
      ['?limit=1&limit=2', 'limit'],
      ['?cursor=', 'cursor'],
      ['?cursor=%21%21%21', 'cursor'],
      ['?cursor=bm90IGEgY3Vyc29y', 'cursor'],
      [`?cursor=${'A'.repeat(129)}`, 'cursor'],
      [`?cursor=${tampered}`, 'cursor'],
      [`?cursor=${cursorOfB}`, 'cursor'],
      ['?offset=20', 'offset'],
    ];
    for (const [query, field] of cases) {
      const response = await getEvents(a.tokens.access_token, query);
      expect(response.statusCode, query).toBe(400);
      expect(errorOf(response), query).toMatchObject({ code: 'invalid_request', field });
    }
    // Its own cursor works.
    expect((await getEvents(a.tokens.access_token, `?limit=1&cursor=${cursorOfA}`)).statusCode).toBe(200);
  });

  it('requires an access token', async () => {
    const missing = await getEvents(undefined);
    expect(missing.statusCode).toBe(401);
    expect(errorOf(missing).code).toBe('token_missing');
    const invalid = await getEvents('not-a-token');
    expect(invalid.statusCode).toBe(401);
    expect(errorOf(invalid).code).toBe('token_invalid');

    const { signedIn } = await userWithEvents(0);
    await t.app.inject({
      method: 'POST',
      url: '/auth/sign_out',
      headers: bearer(signedIn.tokens.access_token),
    });
    const revoked = await getEvents(signedIn.tokens.access_token);
    expect(revoked.statusCode).toBe(401);
    expect(errorOf(revoked)).toMatchObject({ code: 'session_revoked', reason: 'sign_out' });
  });
});
