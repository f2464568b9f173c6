import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Session } from '../src/sessions/session.js';
import { cookieHeader, PAGE_HEADERS, sessionCookiesOf, setCookiesOf } from './support/browser-requests.js';
import {
  bearer,
  errorOf,
  PASSWORD,
  registerUser,
  type SignedInJson,
  type TokensJson,
  uniqueEmail,
  useTestKeycard,
} from './support/test-keycard.js';

interface AnonymousJson {
  session: { uuid: string; anonymous_id: string };
  tokens: TokensJson;
}

type UpgradedJson = SignedInJson & { session: { anonymous_id: string | null } };

const t = useTestKeycard({}, { auditLog: true });

async function anonymous(): Promise<AnonymousJson> {
  const response = await t.app.inject({ method: 'POST', url: '/auth/anonymous' });
  expect(response.statusCode).toBe(201);
  return response.json<AnonymousJson>();
}

function post(url: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url, payload, headers });
}

function me(accessToken: string) {
  return t.app.inject({ method: 'GET', url: '/me', headers: bearer(accessToken) });
}

function refresh(refreshToken: string) {
  return post('/session/refresh', { refresh_token: refreshToken });
}

/** The anonymous session is over, for the reason `upgraded`: both its tokens are refused. */
async function expectUpgradedAway(started: AnonymousJson) {
  const byAccess = await me(started.tokens.access_token);
  expect(byAccess.statusCode).toBe(401);
  expect(errorOf(byAccess)).toMatchObject({ code: 'session_revoked', reason: 'upgraded' });
  expect(errorOf(await refresh(started.tokens.refresh_token))).toMatchObject({
    code: 'session_revoked',
    reason: 'upgraded',
  });
  expect(await t.store.findSession(started.session.uuid)).toBeUndefined();
  expect(await t.store.findRevokedSession(started.session.uuid)).toMatchObject({
    reason: 'upgraded',
    userUuid: null,
  });
}

/** The anonymous session goes on: its tokens still work. */
async function expectStillLive(started: AnonymousJson) {
  const response = await me(started.tokens.access_token);
  expect(response.statusCode).toBe(200);
  expect(response.json<{ user: unknown }>().user).toBeNull();
}

function json(response: LightMyRequestResponse): UpgradedJson {
  return response.json<UpgradedJson>();
}

describe('registering with an anonymous session’s token', () => {
  it('carries its anonymous id over to the new session and ends it at once, everywhere', async () => {
    const heard: string[] = [];
    t.keycard.revocations.subscribe((message) => {
      if (message.kind === 'ended') heard.push(...message.sessions);
    });
    const started = await anonymous();
    const response = await post(
      '/auth',
      { email: uniqueEmail(), password: PASSWORD },
      bearer(started.tokens.access_token),
    );
    expect(response.statusCode).toBe(201);
    const registered = json(response);
    expect(registered.session.anonymous_id).toBe(started.session.anonymous_id);
    expect(registered.session.uuid).not.toBe(started.session.uuid);
    expect(registered.user.uuid).not.toBe(started.session.anonymous_id);

    await expectUpgradedAway(started);
    expect(heard).toEqual([started.session.uuid]);
    expect(t.events).toContainEqual(
      expect.objectContaining({
        type: 'session_ended',
        userUuid: null,
        sessionUuid: started.session.uuid,
        reason: 'upgraded',
      }),
    );
    const mine = await me(registered.tokens.access_token);
    expect(mine.json()).toMatchObject({
      user: { uuid: registered.user.uuid },
      session: { uuid: registered.session.uuid, anonymous_id: started.session.anonymous_id },
    });
  });

  it('leaves the anonymous session alone when the registration fails', async () => {
    const started = await anonymous();
    const taken = (await registerUser(t.app)).user.email;
    const refused = await post(
      '/auth',
      { email: taken, password: PASSWORD },
      bearer(started.tokens.access_token),
    );
    expect(errorOf(refused).code).toBe('email_taken');
    const weak = await post(
      '/auth',
      { email: uniqueEmail(), password: 'short' },
      bearer(started.tokens.access_token),
    );
    expect(errorOf(weak).code).toBe('password_too_weak');
    await expectStillLive(started);
  });
});

describe('signing in with an anonymous session’s token', () => {
  it('carries its anonymous id over, keeps it across refreshes, and ends the anonymous session', async () => {
    const { user } = await registerUser(t.app);
    const started = await anonymous();
    const response = await post(
      '/auth/sign_in',
      { email: user.email, password: PASSWORD },
      bearer(started.tokens.access_token),
    );
    expect(response.statusCode).toBe(200);
    const signedIn = json(response);
    expect(signedIn.session.anonymous_id).toBe(started.session.anonymous_id);
    await expectUpgradedAway(started);

    const refreshed = await refresh(signedIn.tokens.refresh_token);
    expect(refreshed.json()).toMatchObject({
      session: { uuid: signedIn.session.uuid, anonymous_id: started.session.anonymous_id },
    });
    // The user's history has the new session; the anonymous session's life is in no one's.
    const history = (await t.keycard.listUserEvents(user.uuid, { limit: 100 })).events;
    expect(history.map((event) => event.sessionUuid)).toContain(signedIn.session.uuid);
    expect(history.map((event) => event.sessionUuid)).not.toContain(started.session.uuid);
  });

  it('works for POST /auth/upgrade as for sign-in', async () => {
    const { user } = await registerUser(t.app);
    const started = await anonymous();
    const response = await post(
      '/auth/upgrade',
      { email: user.email, password: PASSWORD },
      bearer(started.tokens.access_token),
    );
    expect(json(response).session.anonymous_id).toBe(started.session.anonymous_id);
    await expectUpgradedAway(started);
  });

  it('leaves the anonymous session alone when the password is wrong', async () => {
    const { user } = await registerUser(t.app);
    const started = await anonymous();
    const refused = await post(
      '/auth/sign_in',
      { email: user.email, password: 'not the password' },
      bearer(started.tokens.access_token),
    );
    expect(errorOf(refused).code).toBe('invalid_credentials');
    await expectStillLive(started);
  });

  it('never treats a user’s session as anonymous: the sign-in starts a plain session and ends nothing', async () => {
    const first = await registerUser(t.app);
    const other = await registerUser(t.app);
    const response = await post(
      '/auth/sign_in',
      { email: other.user.email, password: PASSWORD },
      bearer(first.tokens.access_token),
    );
    expect(response.statusCode).toBe(200);
    expect(json(response).session.anonymous_id).toBeNull();
    expect((await me(first.tokens.access_token)).statusCode).toBe(200);
  });

  it('is not blocked by a token that is malformed, forged, revoked or expired: it just carries nothing over', async () => {
    const { user } = await registerUser(t.app);
    const revoked = await anonymous();
    await t.app.inject({
      method: 'POST',
      url: '/auth/sign_out',
      headers: bearer(revoked.tokens.access_token),
    });
    const expired = await anonymous();
    t.clock.advance(3600_000 + 1000);
    const forged = `${expired.session.uuid}.${'A'.repeat(43)}`;
    for (const authorization of [
      'Bearer not-a-token',
      'Basic dXNlcjpwYXNz',
      `Bearer ${forged}`,
      `Bearer ${revoked.tokens.access_token}`,
      `Bearer ${expired.tokens.access_token}`,
    ]) {
      const response = await post(
        '/auth/sign_in',
        { email: user.email, password: PASSWORD },
        { authorization },
      );
      expect(response.statusCode).toBe(200);
      expect(json(response).session.anonymous_id).toBeNull();
    }
    // The expired access token's session is live still: refreshed, its new token does carry it over.
    const refreshed = (await refresh(expired.tokens.refresh_token)).json<{ tokens: TokensJson }>();
    const upgraded = await post(
      '/auth/sign_in',
      { email: user.email, password: PASSWORD },
      bearer(refreshed.tokens.access_token),
    );
    expect(json(upgraded).session.anonymous_id).toBe(expired.session.anonymous_id);
  });

  it('ignores the token for a legacy account, which gets its JWT and no session', async () => {
    const email = uniqueEmail();
    await t.keycard.admin.createUser({ email, password: PASSWORD }, '003');
    const started = await anonymous();
    const response = await post(
      '/auth/sign_in',
      { email, password: PASSWORD },
      bearer(started.tokens.access_token),
    );
    expect(response.statusCode).toBe(200);
    expect(response.json<{ token?: string }>().token).toEqual(expect.any(String));
    await expectStillLive(started);
  });

  it('carries one anonymous session over into one user session only, when two sign-ins race with its token', async () => {
    const { user } = await registerUser(t.app);
    const started = await anonymous();
    const responses = await Promise.all(
      [0, 1].map(() =>
        post('/auth/sign_in', { email: user.email, password: PASSWORD }, bearer(started.tokens.access_token)),
      ),
    );
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200]);
    const carried = responses.map((response) => json(response).session.anonymous_id);
    expect(carried.filter((id) => id === started.session.anonymous_id)).toHaveLength(1);
    expect(carried.filter((id) => id === null)).toHaveLength(1);
    await expectUpgradedAway(started);
  });
});

describe('upgrading a browser’s anonymous session by cookie', () => {
  async function anonymousCookies() {
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/anonymous',
      headers: PAGE_HEADERS,
      payload: { transport: 'cookie' },
    });
    return { cookies: sessionCookiesOf(response), session: response.json<AnonymousJson>().session };
  }

  it('carries the cookie’s anonymous session over for a page of a trusted origin, and replaces the cookies', async () => {
    const { user } = await registerUser(t.app);
    const { cookies, session } = await anonymousCookies();
    const response = await post(
      '/auth/sign_in',
      { email: user.email, password: PASSWORD, transport: 'cookie' },
      { ...PAGE_HEADERS, cookie: cookieHeader(cookies) },
    );
    expect(response.statusCode).toBe(200);
    expect(json(response).session.anonymous_id).toBe(session.anonymous_id);
    const fresh = sessionCookiesOf(response);
    expect(fresh.access).not.toBe(cookies.access);
    const old = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: { ...PAGE_HEADERS, cookie: cookieHeader(cookies) },
    });
    expect(errorOf(old)).toMatchObject({ code: 'session_revoked', reason: 'upgraded' });
    expect(setCookiesOf(old).get('__Host-keycard')?.value).toBe('');
  });

  it('refuses (csrf_rejected) to carry a cookie’s anonymous session over without the CSRF check, and changes nothing', async () => {
    const { user } = await registerUser(t.app);
    const { cookies, session } = await anonymousCookies();
    const response = await post(
      '/auth/sign_in',
      { email: user.email, password: PASSWORD },
      { host: PAGE_HEADERS.host, origin: 'https://evil.example', cookie: cookieHeader(cookies) },
    );
    expect(response.statusCode).toBe(403);
    expect(errorOf(response).code).toBe('csrf_rejected');
    expect(await t.store.listSessions({ userUuid: user.uuid }, 10)).toHaveLength(1);
    expect(await t.store.findSession(session.uuid)).toMatchObject({ userUuid: null });
  });

  it('lets the Authorization header win over the cookie, and ignores a user’s session cookie', async () => {
    const { user } = await registerUser(t.app);
    const byCookie = await anonymousCookies();
    const byHeader = await anonymous();
    const response = await post(
      '/auth/sign_in',
      { email: user.email, password: PASSWORD },
      { ...bearer(byHeader.tokens.access_token), cookie: cookieHeader(byCookie.cookies) },
    );
    expect(json(response).session.anonymous_id).toBe(byHeader.session.anonymous_id);
    expect(await t.store.findSession(byCookie.session.uuid)).toBeDefined();

    const userCookies = sessionCookiesOf(
      await post(
        '/auth/sign_in',
        { email: user.email, password: PASSWORD, transport: 'cookie' },
        PAGE_HEADERS,
      ),
    );
    const plain = await post(
      '/auth/sign_in',
      { email: user.email, password: PASSWORD },
      { cookie: cookieHeader(userCookies) },
    );
    expect(plain.statusCode).toBe(200);
    expect(json(plain).session.anonymous_id).toBeNull();
  });
});

describe('the store’s upgrade, all or nothing', () => {
  function sessionFor(userUuid: string, anonymousId: string): Session {
    const now = t.clock.now();
    return {
      uuid: randomUUID(),
      userUuid,
      anonymousId,
      apiVersion: '20200115',
      userAgent: null,
      createdAt: now,
      updatedAt: now,
      remember: true,
      expiresAt: now + 86_400_000,
      accessHash: 'a'.repeat(43),
      accessExpiresAt: now + 3600_000,
      refreshHash: 'b'.repeat(43),
      refreshGeneration: 0,
      previousRefreshHash: null,
      rotatedAt: null,
      groupId: null,
      elevatedUntil: null,
    };
  }

  it('writes nothing unless the anonymous session is live, anonymous and has the id the new session carries', async () => {
    const { user, session: userSession } = await registerUser(t.app);
    const started = await anonymous();
    const now = t.clock.now();
    const attempts: [string, string][] = [
      [userSession.uuid, started.session.anonymous_id], // a user's session
      [started.session.uuid, randomUUID()], // another anonymous id
      [randomUUID(), started.session.anonymous_id], // no such session
    ];
    for (const [anonymousUuid, anonymousId] of attempts) {
      const session = sessionFor(user.uuid, anonymousId);
      expect(await t.store.createUpgradedSession(session, anonymousUuid, now)).toBe('anonymous_gone');
      expect(await t.store.findSession(session.uuid)).toBeUndefined();
    }
    expect(await t.store.findSession(userSession.uuid)).toBeDefined();
    await expectStillLive(started);
  });

  it('refuses a disabled user’s session and a taken email, and the anonymous session goes on', async () => {
    const { user } = await registerUser(t.app);
    const started = await anonymous();
    await t.keycard.admin.disableUser(user.uuid);
    const disabled = sessionFor(user.uuid, started.session.anonymous_id);
    expect(await t.store.createUpgradedSession(disabled, started.session.uuid, t.clock.now())).toBe(
      'refused',
    );
    const existing = await t.store.findUserByUuid(user.uuid);
    if (existing === undefined) throw new Error('no user');
    const twin = { ...existing, uuid: randomUUID() };
    await expect(
      t.store.createUpgradedSession(
        sessionFor(twin.uuid, started.session.anonymous_id),
        started.session.uuid,
        t.clock.now(),
        twin,
      ),
    ).rejects.toMatchObject({ code: 'email_taken' });
    expect(await t.store.findUserByUuid(twin.uuid)).toBeUndefined();
    await expectStillLive(started);
  });
});
