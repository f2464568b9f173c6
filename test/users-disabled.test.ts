import { describe, expect, it, vi } from 'vitest';
import {
  bearer,
  errorOf,
  PASSWORD,
  registerUser,
  signInUser,
  useTestKeycard,
} from './support/test-keycard.js';

const t = useTestKeycard();

function signIn(email: string, password = PASSWORD) {
  return t.app.inject({ method: 'POST', url: '/auth/sign_in', payload: { email, password } });
}

describe('a disabled user (keycard users disable)', () => {
  it('is refused sign-in like a wrong password, and their tokens stop working at once; enable restores sign-in', async () => {
    const registered = await registerUser(t.app);
    const other = await signInUser(t.app, registered.user.email, { api: '20190520' });
    const stranger = await registerUser(t.app);

    const disabled = await t.keycard.admin.disableUser(registered.user.uuid);
    expect(disabled?.sessionsRevoked).toBe(2);
    expect(disabled?.user.disabledAt).toBe(t.clock.now());

    for (const session of [registered, other]) {
      const me = await t.app.inject({
        method: 'GET',
        url: '/me',
        headers: bearer(session.tokens.access_token),
      });
      expect(me.statusCode).toBe(401);
      expect(errorOf(me)).toMatchObject({ code: 'session_revoked', reason: 'user_disabled' });
      const refresh = await t.app.inject({
        method: 'POST',
        url: '/session/refresh',
        payload: { refresh_token: session.tokens.refresh_token },
      });
      expect(refresh.statusCode).toBe(401);
    }
    const refused = await signIn(registered.user.email);
    const wrong = await signIn(registered.user.email, `${PASSWORD}!`);
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual(wrong.json());
    expect(errorOf(refused).code).toBe('invalid_credentials');
    expect(t.events).toContainEqual({
      type: 'session_ended',
      userUuid: registered.user.uuid,
      sessionUuid: other.session.uuid,
      reason: 'user_disabled',
    });
    const strangerMe = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: bearer(stranger.tokens.access_token),
    });
    expect(strangerMe.statusCode).toBe(200);

    const enabled = await t.keycard.admin.enableUser(registered.user.uuid);
    expect(enabled?.disabledAt).toBeNull();
    expect((await signIn(registered.user.email)).statusCode).toBe(200);
    // Sessions revoked when the account was disabled stay revoked.
    const old = await t.app.inject({ method: 'GET', url: '/me', headers: bearer(other.tokens.access_token) });
    expect(old.statusCode).toBe(401);
  });

  it('keeps the first disabledAt when disabled twice, and knows no unknown user', async () => {
    const registered = await registerUser(t.app);
    const first = await t.keycard.admin.disableUser(registered.user.uuid);
    t.clock.advance(60_000);
    const second = await t.keycard.admin.disableUser(registered.user.uuid);
    expect(second).toEqual({ user: { ...first?.user, updatedAt: t.clock.now() }, sessionsRevoked: 0 });
    expect(await t.keycard.admin.disableUser('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    expect(await t.keycard.admin.enableUser('00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });
});

describe('administration through the store (every store)', () => {
  it('creates users with the API password policy, lists them by email, finds them by email or uuid', async () => {
    const created = await t.keycard.admin.createUser({ email: ' Zed@Example.COM ', password: PASSWORD });
    expect(created).toMatchObject({ email: 'zed@example.com', version: '004', disabledAt: null });
    expect(created).not.toHaveProperty('passwordHash');
    await expect(
      t.keycard.admin.createUser({ email: 'zed@example.com', password: PASSWORD }),
    ).rejects.toMatchObject({
      code: 'email_taken',
    });
    await expect(
      t.keycard.admin.createUser({ email: 'amy@example.com', password: 'password' }),
    ).rejects.toMatchObject({
      code: 'password_too_weak',
    });
    await t.keycard.admin.createUser({ email: 'amy@example.com', password: PASSWORD });
    expect((await t.keycard.admin.listUsers({ limit: 10 })).map((user) => user.email)).toEqual([
      'amy@example.com',
      'zed@example.com',
    ]);
    expect(
      (await t.keycard.admin.listUsers({ limit: 10, afterEmail: 'amy@example.com' })).map(
        (user) => user.email,
      ),
    ).toEqual(['zed@example.com']);
    expect((await t.keycard.admin.findUser(created.uuid))?.email).toBe('zed@example.com');
    expect((await t.keycard.admin.findUser('ZED@example.com'))?.uuid).toBe(created.uuid);
    expect((await signIn('zed@example.com')).statusCode).toBe(200);
  });

  it('lists and revokes sessions by user, API version, one, or all (reason revoked_by_admin)', async () => {
    const ada = await registerUser(t.app);
    const adaOld = await signInUser(t.app, ada.user.email, { api: '20190520' });
    const bob = await registerUser(t.app, { api: '20190520' });
    const carol = await registerUser(t.app);

    expect((await t.keycard.admin.listSessions({ userUuid: ada.user.uuid }, 10)).length).toBe(2);
    const old = await t.keycard.admin.listSessions({ apiVersion: '20190520' }, 10);
    expect(old.map((session) => session.uuid).sort()).toEqual([adaOld.session.uuid, bob.session.uuid].sort());
    expect(await t.keycard.admin.listSessions({}, 10)).toHaveLength(4);
    expect(await t.keycard.admin.listSessions({}, 2)).toHaveLength(2);

    expect(await t.keycard.admin.revokeSession(carol.session.uuid)).toBe(true);
    expect(await t.keycard.admin.revokeSession(carol.session.uuid)).toBe(false);
    const carolMe = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: bearer(carol.tokens.access_token),
    });
    expect(errorOf(carolMe)).toMatchObject({ code: 'session_revoked', reason: 'revoked_by_admin' });

    expect(await t.keycard.admin.revokeSessions({ apiVersion: '20190520' })).toBe(2);
    expect(await t.keycard.admin.listSessions({}, 10)).toHaveLength(1);
    expect(await t.keycard.admin.revokeSessions({})).toBe(1);
    const adaMe = await t.app.inject({ method: 'GET', url: '/me', headers: bearer(ada.tokens.access_token) });
    expect(errorOf(adaMe)).toMatchObject({ code: 'session_revoked', reason: 'revoked_by_admin' });
  });

  it('a sign-in whose password check began before the account was disabled leaves no session behind', async () => {
    const registered = await registerUser(t.app);
    const findUserByEmail = t.store.findUserByEmail.bind(t.store);
    // The account is read while still enabled; the administrator disables it before the session is written.
    vi.spyOn(t.store, 'findUserByEmail').mockImplementationOnce(async (email) => {
      const user = await findUserByEmail(email);
      await t.keycard.admin.disableUser(registered.user.uuid);
      return user;
    });
    const response = await signIn(registered.user.email);
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).code).toBe('invalid_credentials');
    expect(await t.store.listUserSessions(registered.user.uuid)).toEqual([]);
  });

  it('the store creates no session for a disabled or unknown user', async () => {
    const registered = await registerUser(t.app);
    const [live] = await t.store.listUserSessions(registered.user.uuid);
    if (live === undefined) throw new Error('registration made no session');
    const another = { ...live, uuid: '0f0f0f0f-0000-4000-8000-000000000001' };
    expect(await t.store.createSession(another)).toBe(true);
    await t.store.setUserDisabledAt(registered.user.uuid, t.clock.now(), t.clock.now());
    expect(await t.store.createSession({ ...live, uuid: '0f0f0f0f-0000-4000-8000-000000000002' })).toBe(
      false,
    );
    expect(
      await t.store.createSession({
        ...live,
        uuid: '0f0f0f0f-0000-4000-8000-000000000003',
        userUuid: '0f0f0f0f-0000-4000-8000-0000000000ff',
      }),
    ).toBe(false);
    const uuids = (await t.store.listUserSessions(registered.user.uuid))
      .map((session) => session.uuid)
      .sort();
    expect(uuids).toEqual([live.uuid, another.uuid].sort());
  });
});
