import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bearer,
  useTestKeycard,
  errorOf,
  listSessionsOf,
  registerUser,
  signInUser,
  type SignedInJson,
} from './support/test-keycard.js';

const t = useTestKeycard();

const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Firefox/115.0';
const CHROME_ON_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

/** One user with three sessions (a, b, c) and a second user with one. */
async function twoUsers() {
  const aCreatedAt = new Date(t.clock.now()).toISOString();
  const a = await registerUser(t.app, {}, { 'user-agent': FIREFOX_ON_WINDOWS });
  t.clock.advance(1000);
  const b = await signInUser(t.app, a.user.email, { api: '20190520' }, { 'user-agent': CHROME_ON_MAC });
  t.clock.advance(1000);
  const c = await signInUser(t.app, a.user.email, {}, { 'user-agent': '' });
  const stranger = await registerUser(t.app);
  return { a, aCreatedAt, b, c, stranger };
}

function me(session: SignedInJson) {
  return t.app.inject({ method: 'GET', url: '/me', headers: bearer(session.tokens.access_token) });
}

function revokeOne(session: SignedInJson | undefined, payload?: unknown, url = '/session') {
  return t.app.inject({
    method: 'DELETE',
    url,
    headers: session === undefined ? {} : bearer(session.tokens.access_token),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

async function expectLive(...sessions: SignedInJson[]): Promise<void> {
  for (const session of sessions) expect((await me(session)).statusCode).toBe(200);
}

describe('GET /sessions', () => {
  it("lists the caller's own live sessions, most recent first, with device, version and the current one", async () => {
    const { a, aCreatedAt, b, c, stranger } = await twoUsers();
    const response = await t.app.inject({
      method: 'GET',
      url: '/sessions',
      headers: bearer(b.tokens.access_token),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const { sessions } = response.json<{ sessions: Record<string, unknown>[] }>();
    expect(sessions.map((session) => session.uuid)).toEqual([c.session.uuid, b.session.uuid, a.session.uuid]);
    expect(sessions[2]).toEqual({
      uuid: a.session.uuid,
      api_version: '20200115',
      user_agent: FIREFOX_ON_WINDOWS,
      device: { browser: 'Firefox 115.0', os: 'Windows 10' },
      created_at: aCreatedAt,
      updated_at: aCreatedAt,
      current: false,
    });
    expect(sessions[1]).toMatchObject({
      api_version: '20190520',
      device: { browser: 'Chrome 126.0.0.0', os: expect.stringMatching(/^macOS/) as string },
      current: true,
    });
    expect(sessions[0]).toMatchObject({
      user_agent: null,
      device: { browser: null, os: null },
      current: false,
    });
    expect(response.body).not.toContain(stranger.session.uuid);
  });

  it('never shows a token or a stored hash', async () => {
    const { a, b, c } = await twoUsers();
    const response = await t.app.inject({
      method: 'GET',
      url: '/sessions',
      headers: bearer(a.tokens.access_token),
    });
    for (const session of [a, b, c]) {
      expect(response.body).not.toContain(session.tokens.access_token.split('.')[1]);
      expect(response.body).not.toContain(session.tokens.refresh_token.split('.')[2]);
      const stored = await t.store.findSession(session.session.uuid);
      expect(stored).toBeDefined();
      expect(response.body).not.toContain(stored?.accessHash);
      expect(response.body).not.toContain(stored?.refreshHash);
    }
  });

  it('shows recent activity: a refresh moves a session to the top', async () => {
    const { a, b } = await twoUsers();
    t.clock.advance(5 * 60 * 1000);
    await t.app.inject({
      method: 'POST',
      url: '/session/refresh',
      payload: { refresh_token: a.tokens.refresh_token },
    });
    const [top] = await listSessionsOf(t.app, b.tokens.access_token);
    expect(top).toMatchObject({ uuid: a.session.uuid, updated_at: new Date(t.clock.now()).toISOString() });
  });

  it.each([
    ['without a token', {}, 'token_missing'],
    ['with a garbage token', { authorization: 'Bearer abc.def' }, 'token_invalid'],
  ])('refuses a caller %s', async (_name, headers, code) => {
    const response = await t.app.inject({ method: 'GET', url: '/sessions', headers });
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).code).toBe(code);
  });

  it('refuses an expired access token and an access token in the URL', async () => {
    const registered = await registerUser(t.app);
    const inUrl = await t.app.inject({
      method: 'GET',
      url: `/sessions?access_token=${encodeURIComponent(registered.tokens.access_token)}`,
    });
    expect(inUrl.statusCode).not.toBe(200);
    expect(inUrl.body).not.toContain(registered.tokens.access_token);
    t.clock.advance(3601 * 1000);
    const expired = await t.app.inject({
      method: 'GET',
      url: '/sessions',
      headers: bearer(registered.tokens.access_token),
    });
    expect(expired.statusCode).toBe(401);
    expect(errorOf(expired).code).toBe('access_token_expired');
    expect(expired.headers['www-authenticate']).toContain('error="invalid_token"');
  });
});

describe('DELETE /session', () => {
  it('revokes another session of the caller; its tokens then answer session_revoked with reason revoked', async () => {
    const { a, b, c } = await twoUsers();
    const response = await revokeOne(a, { uuid: b.session.uuid });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');

    const revoked = await me(b);
    expect(revoked.statusCode).toBe(401);
    expect(errorOf(revoked)).toMatchObject({ code: 'session_revoked', reason: 'revoked' });
    const refresh = await t.app.inject({
      method: 'POST',
      url: '/session/refresh',
      payload: { refresh_token: b.tokens.refresh_token },
    });
    expect(errorOf(refresh)).toMatchObject({ code: 'session_revoked', reason: 'revoked' });
    expect((await listSessionsOf(t.app, a.tokens.access_token)).map((s) => s.uuid).sort()).toEqual(
      [a.session.uuid, c.session.uuid].sort(),
    );
  });

  it('refuses the current session with cannot_revoke_current and keeps it', async () => {
    const { a } = await twoUsers();
    const response = await revokeOne(a, { uuid: a.session.uuid });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).code).toBe('cannot_revoke_current');
    await expectLive(a);
  });

  it("answers session_not_found for another user's session, an unknown one and an ended one", async () => {
    const { a, b, stranger } = await twoUsers();
    expect((await revokeOne(a, { uuid: b.session.uuid })).statusCode).toBe(204);
    for (const uuid of [stranger.session.uuid, randomUUID(), b.session.uuid]) {
      const response = await revokeOne(a, { uuid });
      expect(response.statusCode).toBe(404);
      expect(errorOf(response).code).toBe('session_not_found');
    }
    await expectLive(stranger, a);
    expect(errorOf(await me(b)).reason).toBe('revoked');
  });

  it('reads the uuid case-insensitively, as UUIDs are', async () => {
    const { a, b } = await twoUsers();
    const current = await revokeOne(a, { uuid: a.session.uuid.toUpperCase() });
    expect(errorOf(current).code).toBe('cannot_revoke_current');
    expect((await revokeOne(a, { uuid: b.session.uuid.toUpperCase() })).statusCode).toBe(204);
    expect(errorOf(await me(b))).toMatchObject({ code: 'session_revoked', reason: 'revoked' });
    await expectLive(a);
  });

  it.each([
    ['no body', undefined, 'invalid_request'],
    ['no uuid', {}, 'uuid'],
    ['a malformed uuid', { uuid: 'not-a-uuid' }, 'uuid'],
    ['a numeric uuid', { uuid: 42 }, 'uuid'],
    ['a list of uuids', { uuid: ['x'] }, 'uuid'],
    ['an unknown field', { uuid: randomUUID(), all: true }, 'all'],
  ])('refuses %s as invalid_request, revoking nothing', async (_name, payload, field) => {
    const { a, b, c } = await twoUsers();
    const response = await revokeOne(a, payload);
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).code).toBe('invalid_request');
    if (field !== 'invalid_request') expect(errorOf(response).field).toBe(field);
    await expectLive(a, b, c);
  });

  it('refuses a uuid in the query string, revoking nothing', async () => {
    const { a, b } = await twoUsers();
    const response = await revokeOne(a, undefined, `/session?uuid=${b.session.uuid}`);
    expect(response.statusCode).toBe(400);
    await expectLive(a, b);
  });

  it('refuses without a valid token, revoking nothing', async () => {
    const { a, b } = await twoUsers();
    const anonymous = await revokeOne(undefined, { uuid: b.session.uuid });
    expect(anonymous.statusCode).toBe(401);
    expect(errorOf(anonymous).code).toBe('token_missing');
    t.clock.advance(3601 * 1000);
    const expired = await revokeOne(a, { uuid: b.session.uuid });
    expect(errorOf(expired).code).toBe('access_token_expired');
    const found = await t.store.findSession(b.session.uuid);
    expect(found?.uuid).toBe(b.session.uuid);
  });
});

describe('DELETE /sessions', () => {
  function revokeOthers(session: SignedInJson, payload?: Record<string, unknown>) {
    return t.app.inject({
      method: 'DELETE',
      url: '/sessions',
      headers: bearer(session.tokens.access_token),
      ...(payload === undefined ? {} : { payload }),
    });
  }

  it("revokes every other session of the caller's (reason revoked_others), and no one else's", async () => {
    const { a, b, c, stranger } = await twoUsers();
    const response = await revokeOthers(b);
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    for (const ended of [a, c]) {
      const refused = await me(ended);
      expect(refused.statusCode).toBe(401);
      expect(errorOf(refused)).toMatchObject({ code: 'session_revoked', reason: 'revoked_others' });
    }
    await expectLive(b, stranger);
    expect((await listSessionsOf(t.app, b.tokens.access_token)).map((s) => s.uuid)).toEqual([b.session.uuid]);
  });

  it('succeeds with nothing to revoke and accepts api in the body', async () => {
    const registered = await registerUser(t.app);
    expect((await revokeOthers(registered, { api: '20190520' })).statusCode).toBe(204);
    await expectLive(registered);
  });

  it('refuses a body with a uuid (meant for DELETE /session) without revoking anything', async () => {
    const { a, b, c } = await twoUsers();
    const response = await revokeOthers(a, { uuid: b.session.uuid });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toMatchObject({ code: 'invalid_request', field: 'uuid' });
    await expectLive(a, b, c);
  });

  it('refuses a revoked caller without revoking anything', async () => {
    const { a, b, c } = await twoUsers();
    await t.app.inject({ method: 'POST', url: '/auth/sign_out', headers: bearer(a.tokens.access_token) });
    const response = await revokeOthers(a);
    expect(response.statusCode).toBe(401);
    expect(errorOf(response)).toMatchObject({ code: 'session_revoked', reason: 'sign_out' });
    await expectLive(b, c);
  });
});
