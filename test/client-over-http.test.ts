import { describe, expect, it } from 'vitest';
import { createKeycardClient, describeError, type KeycardClientError } from '../src/client/index.js';
import { injectFetch } from './support/inject-fetch.js';
import {
  bearer,
  PASSWORD,
  registerUser,
  signInUser,
  uniqueEmail,
  useTestKeycard,
} from './support/test-keycard.js';

const t = useTestKeycard({ accessTtlSeconds: 60 });
const BASE = 'http://keycard.test';

const refreshes = () => t.events.filter((event) => event.type === 'session_refreshed').length;

describe('keycard/client against the app, Bearer mode', () => {
  it('signs up, lists its devices, refreshes once for 20 requests after the access token expired', async () => {
    const client = createKeycardClient({ baseUrl: BASE, fetch: injectFetch(t.app) });
    const email = uniqueEmail();
    const { user } = await client.signUp({ email, password: PASSWORD });
    expect(user.email).toBe(email);
    expect((await client.listSessions()).map((session) => session.current)).toEqual([true]);

    t.clock.advance(61_000);
    const answers = await Promise.all(Array.from({ length: 20 }, () => client.me()));
    expect(answers.every((answer) => answer.user?.email === email)).toBe(true);
    expect(refreshes()).toBe(1);
  });

  it('revokes one device and the others, and signs out', async () => {
    const client = createKeycardClient({ baseUrl: BASE, fetch: injectFetch(t.app) });
    const email = uniqueEmail();
    await client.signUp({ email, password: PASSWORD });
    const [first, second] = [await signInUser(t.app, email), await signInUser(t.app, email)];
    await client.revokeSession(first.session.uuid);
    expect(
      (await t.app.inject({ method: 'GET', url: '/me', headers: bearer(first.tokens.access_token) }))
        .statusCode,
    ).toBe(401);
    await client.revokeOtherSessions();
    expect(
      (await t.app.inject({ method: 'GET', url: '/me', headers: bearer(second.tokens.access_token) }))
        .statusCode,
    ).toBe(401);
    expect(await client.listSessions()).toHaveLength(1);
    await client.signOut();
    await expect(client.me()).rejects.toMatchObject({ code: 'token_missing' });
  });

  it('throws the server’s codes, typed', async () => {
    const client = createKeycardClient({ baseUrl: BASE, fetch: injectFetch(t.app) });
    await expect(client.signIn({ email: 'nobody@example.com', password: PASSWORD })).rejects.toMatchObject({
      code: 'invalid_credentials',
      status: 401,
    });
    await expect(client.signUp({ email: uniqueEmail(), password: 'short' })).rejects.toMatchObject({
      code: 'password_too_weak',
      status: 400,
    });
  });
});

describe('keycard/client against the app, cookie mode', () => {
  it('keeps the tokens in cookies only, refreshes by cookie, and signs out cleanly when revoked elsewhere', async () => {
    const jar = new Map<string, string>();
    const client = createKeycardClient({
      baseUrl: BASE,
      transport: 'cookie',
      fetch: injectFetch(t.app, jar),
      crossTab: false,
    });
    const told: (KeycardClientError | undefined)[] = [];
    client.onSignedOut((error) => told.push(error));
    const email = uniqueEmail();
    const signedIn = await client.signUp({ email, password: PASSWORD });
    expect(signedIn).not.toHaveProperty('tokens');
    expect([...jar.keys()].sort()).toEqual(['__Host-keycard', '__Secure-keycard-refresh']);
    const before = jar.get('__Host-keycard');

    t.clock.advance(61_000);
    const devices = await Promise.all(Array.from({ length: 20 }, () => client.listSessions()));
    expect(devices.every((list) => list.length === 1)).toBe(true);
    expect(refreshes()).toBe(1);
    expect(jar.get('__Host-keycard')).not.toBe(before);

    const other = await signInUser(t.app, email);
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: '/session',
      headers: bearer(other.tokens.access_token),
      payload: { uuid: signedIn.session.uuid },
    });
    expect(revoked.statusCode).toBe(204);

    const error = await client.me().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toMatchObject({ code: 'session_revoked', reason: 'revoked' });
    expect(describeError(error)).toBe('You were signed out from another device.');
    expect(told).toHaveLength(1);
    expect(jar.size).toBe(0);
  });
});

describe('keycard/client and anonymous sessions', () => {
  it('Bearer mode: starts one, and signing up carries it over, refreshing its expired token first', async () => {
    const client = createKeycardClient({ baseUrl: BASE, fetch: injectFetch(t.app) });
    const { session } = await client.startAnonymous();
    expect(session.anonymous_id).toEqual(expect.any(String));
    expect((await client.me()).user).toBeNull();
    await expect(client.listSessions()).rejects.toMatchObject({ code: 'account_required', status: 403 });

    t.clock.advance(61_000); // the anonymous access token has expired
    const signedUp = await client.signUp({ email: uniqueEmail(), password: PASSWORD });
    expect(signedUp.session.anonymous_id).toBe(session.anonymous_id);
    expect(refreshes()).toBe(1);
    expect((await client.me()).user?.uuid).toBe(signedUp.user.uuid);
    const stored = await t.store.findRevokedSession(session.uuid);
    expect(stored?.reason).toBe('upgraded');
  });

  it('Bearer mode: a user’s session is never sent along, and signing in again carries nothing', async () => {
    const client = createKeycardClient({ baseUrl: BASE, fetch: injectFetch(t.app) });
    const email = uniqueEmail();
    await client.signUp({ email, password: PASSWORD });
    const again = await client.signIn({ email, password: PASSWORD });
    expect(again.session.anonymous_id).toBeNull();
    expect(refreshes()).toBe(0);
  });

  it('cookie mode: the anonymous session’s cookies are carried over by signing in', async () => {
    const jar = new Map<string, string>();
    const client = createKeycardClient({
      baseUrl: BASE,
      transport: 'cookie',
      fetch: injectFetch(t.app, jar),
      crossTab: false,
    });
    const { email } = (await registerUser(t.app)).user;
    const { session } = await client.startAnonymous();
    expect([...jar.keys()].sort()).toEqual(['__Host-keycard', '__Secure-keycard-refresh']);
    t.clock.advance(61_000);
    const signedIn = await client.signIn({ email, password: PASSWORD });
    expect(signedIn.session.anonymous_id).toBe(session.anonymous_id);
    expect((await client.me()).user?.email).toBe(email);
  });
});
