import { describe, expect, it } from 'vitest';
import {
  bearer,
  errorOf,
  PASSWORD,
  registerUser,
  signInUser,
  useTestKeycard,
  elevatedAdmin,
  refreshTokens,
} from './support/test-keycard.js';

const t = useTestKeycard({ sessionGroups: ['fleet-7', 'fleet-8'] });

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

function call(method: Method, url: string, accessToken: string, payload?: object) {
  return t.app.inject({
    method,
    url,
    headers: bearer(accessToken),
    ...(payload === undefined ? {} : { payload }),
  });
}

/** Every admin call, with a payload where it takes one. */
function everyAdminCall(userUuid: string, sessionUuid: string): [Method, string, object?][] {
  return [
    ['GET', '/admin/roles'],
    ['POST', '/admin/roles', { name: 'editor' }],
    ['GET', '/admin/roles/admin'],
    ['DELETE', '/admin/roles/editor'],
    ['PUT', '/admin/roles/admin/permissions/keycard:admin'],
    ['DELETE', '/admin/roles/admin/permissions/keycard:admin'],
    ['GET', '/admin/permissions'],
    ['POST', '/admin/permissions', { name: 'notes:write' }],
    ['DELETE', '/admin/permissions/notes:write'],
    ['GET', '/admin/users'],
    ['GET', `/admin/users/${userUuid}`],
    ['PUT', `/admin/users/${userUuid}/roles/admin`],
    ['DELETE', `/admin/users/${userUuid}/roles/admin`],
    ['PUT', `/admin/users/${userUuid}/permissions/keycard:admin`],
    ['DELETE', `/admin/users/${userUuid}/permissions/keycard:admin`],
    ['POST', `/admin/users/${userUuid}/disable`],
    ['POST', `/admin/users/${userUuid}/enable`],
    ['GET', `/admin/users/${userUuid}/sessions`],
    ['DELETE', `/admin/users/${userUuid}/sessions`],
    ['DELETE', `/admin/sessions/${sessionUuid}`],
    ['POST', '/admin/sessions/revoke', { api_version: '20190520' }],
    ['PUT', `/admin/sessions/${sessionUuid}/group`, { group: 'fleet-7' }],
    ['POST', '/admin/groups/fleet-7/revoke'],
  ];
}

describe('the admin API', () => {
  it('refuses every call without keycard:admin (403 permission_denied), without elevation (403), without a token (401)', async () => {
    const admin = await registerUser(t.app);
    await t.keycard.admin.access.setUserRole(admin.user.uuid, 'admin', true);
    const adminTokens = await refreshTokens(t.app, admin.tokens);
    const bob = await registerUser(t.app);
    await call('POST', '/session/elevate', bob.tokens.access_token, { password: PASSWORD });

    for (const [method, url, payload] of everyAdminCall(bob.user.uuid, bob.session.uuid)) {
      const notElevated = await call(method, url, adminTokens.access_token, payload);
      expect([url, notElevated.statusCode, errorOf(notElevated).code]).toEqual([
        url,
        403,
        'elevation_required',
      ]);
      const notAdmin = await call(method, url, bob.tokens.access_token, payload);
      expect([url, notAdmin.statusCode, errorOf(notAdmin)]).toMatchObject([
        url,
        403,
        { code: 'permission_denied', permission: 'keycard:admin' },
      ]);
      const anonymous = await t.app.inject({ method, url, ...(payload === undefined ? {} : { payload }) });
      expect([url, errorOf(anonymous).code]).toEqual([url, 'token_missing']);
    }
    // Nothing happened.
    expect((await t.keycard.admin.access.listRoles()).map((role) => role.name)).toEqual(['admin']);
    expect((await t.keycard.admin.findUser(bob.user.uuid))?.disabledAt).toBeNull();
    expect((await call('GET', '/me', bob.tokens.access_token)).statusCode).toBe(200);
  });

  it('manages roles and permissions; the users affected get claims_stale and then the new permissions', async () => {
    const { token } = await elevatedAdmin(t);
    const bob = await registerUser(t.app);
    const role = await call('POST', '/admin/roles', token, { name: 'editor', description: 'Edits notes' });
    expect(role.statusCode).toBe(201);
    expect(role.json()).toMatchObject({ name: 'editor', description: 'Edits notes', permissions: [] });
    expect((await call('POST', '/admin/permissions', token, { name: 'notes:write' })).statusCode).toBe(201);
    const granted = await call('PUT', '/admin/roles/editor/permissions/notes:write', token);
    expect(granted.json()).toMatchObject({ permissions: ['notes:write'] });
    t.clock.advance(1000);
    const assigned = await call('PUT', `/admin/users/${bob.user.uuid}/roles/editor`, token);
    expect(assigned.json()).toEqual({ roles: ['editor'], permissions: ['notes:write'] });
    expect(errorOf(await call('GET', '/me', bob.tokens.access_token)).code).toBe('claims_stale');
    const bobTokens = await refreshTokens(t.app, bob.tokens);
    expect((await call('GET', '/me', bobTokens.access_token)).json()).toMatchObject({
      roles: ['editor'],
      permissions: ['notes:write'],
    });
    const shown = await call('GET', `/admin/users/${bob.user.uuid}`, token);
    expect(shown.json()).toMatchObject({ user: { email: bob.user.email }, roles: ['editor'] });
    const found = await call('GET', `/admin/users?email=${encodeURIComponent(bob.user.email)}`, token);
    expect(found.json<{ users: { uuid: string }[] }>().users.map((user) => user.uuid)).toEqual([
      bob.user.uuid,
    ]);
    const listed = await call('GET', '/admin/users?limit=1', token);
    expect(listed.json<{ users: unknown[] }>().users).toHaveLength(1);
    expect((await call('GET', '/admin/roles', token)).json()).toMatchObject({
      roles: [{ name: 'admin' }, { name: 'editor' }],
    });
    expect((await call('DELETE', '/admin/roles/editor', token)).statusCode).toBe(204);
    expect((await call('GET', `/admin/users/${bob.user.uuid}`, token)).json()).toMatchObject({ roles: [] });
  });

  it('refuses bad input: unknown role, duplicate names, invalid names, malformed ids, self-demotion of the last admin', async () => {
    const { admin, token } = await elevatedAdmin(t);
    const cases: [Method, string, object | undefined, number, string][] = [
      ['POST', '/admin/roles', { name: 'Editor!' }, 400, 'invalid_request'],
      ['POST', '/admin/roles', { name: 'admin' }, 409, 'name_taken'],
      ['POST', '/admin/roles', {}, 400, 'invalid_request'],
      ['POST', '/admin/roles', { name: 'x', extra: 1 }, 400, 'invalid_request'],
      ['POST', '/admin/permissions', { name: 'notes' }, 400, 'invalid_request'],
      ['POST', '/admin/permissions', { name: 'keycard:admin' }, 409, 'name_taken'],
      ['GET', '/admin/roles/nobody', undefined, 404, 'role_not_found'],
      ['DELETE', '/admin/roles/nobody', undefined, 404, 'role_not_found'],
      ['DELETE', '/admin/roles/admin', undefined, 409, 'builtin_protected'],
      ['DELETE', '/admin/permissions/keycard:admin', undefined, 409, 'builtin_protected'],
      ['DELETE', '/admin/permissions/notes:nothing', undefined, 404, 'permission_not_found'],
      ['PUT', '/admin/roles/admin/permissions/notes:nothing', undefined, 404, 'permission_not_found'],
      ['DELETE', '/admin/roles/admin/permissions/keycard:admin', undefined, 409, 'builtin_protected'],
      ['PUT', `/admin/users/${admin.user.uuid}/roles/nobody`, undefined, 404, 'role_not_found'],
      ['DELETE', `/admin/users/${admin.user.uuid}/roles/admin`, undefined, 409, 'last_admin'],
      ['POST', `/admin/users/${admin.user.uuid}/disable`, undefined, 409, 'last_admin'],
      ['GET', '/admin/users/not-a-uuid', undefined, 400, 'invalid_request'],
      ['GET', '/admin/users/00000000-0000-4000-8000-000000000000', undefined, 404, 'user_not_found'],
      [
        'PUT',
        '/admin/users/00000000-0000-4000-8000-000000000000/roles/admin',
        undefined,
        404,
        'user_not_found',
      ],
      ['DELETE', '/admin/sessions/00000000-0000-4000-8000-000000000000', undefined, 404, 'session_not_found'],
      ['POST', '/admin/sessions/revoke', {}, 400, 'invalid_request'],
      ['POST', '/admin/groups/unknown-group/revoke', undefined, 400, 'invalid_request'],
      ['PUT', `/admin/sessions/${admin.session.uuid}/group`, { group: 'nope' }, 400, 'invalid_request'],
      ['GET', '/admin/users?limit=0', undefined, 400, 'invalid_request'],
    ];
    for (const [method, url, payload, status, code] of cases) {
      const response = await call(method, url, token, payload);
      expect([method, url, response.statusCode, errorOf(response).code]).toEqual([method, url, status, code]);
    }
    expect((await t.keycard.admin.access.userAccess(admin.user.uuid)).roles).toEqual(['admin']);
    expect((await t.keycard.admin.access.listRoles()).map((role) => role.name)).toEqual(['admin']);
  });

  it('disables and enables users, lists and revokes their sessions: one, all, by API version', async () => {
    const { token } = await elevatedAdmin(t);
    const bob = await registerUser(t.app);
    const old = await signInUser(t.app, bob.user.email, { api: '20190520' });
    const third = await signInUser(t.app, bob.user.email);

    const sessions = await call('GET', `/admin/users/${bob.user.uuid}/sessions`, token);
    expect(sessions.json<{ sessions: unknown[] }>().sessions).toHaveLength(3);
    const byVersion = await call('POST', '/admin/sessions/revoke', token, { api_version: '20190520' });
    expect(byVersion.json()).toEqual({ revoked: 1 });
    expect(errorOf(await call('GET', '/me', old.tokens.access_token))).toMatchObject({
      code: 'session_revoked',
      reason: 'revoked_by_admin',
    });
    expect((await call('DELETE', `/admin/sessions/${third.session.uuid}`, token)).statusCode).toBe(204);
    expect((await call('GET', '/me', third.tokens.access_token)).statusCode).toBe(401);
    expect((await call('GET', '/me', bob.tokens.access_token)).statusCode).toBe(200);

    const disabled = await call('POST', `/admin/users/${bob.user.uuid}/disable`, token);
    expect(disabled.json()).toMatchObject({ uuid: bob.user.uuid, disabled_at: expect.any(String) as string });
    expect(errorOf(await call('GET', '/me', bob.tokens.access_token))).toMatchObject({
      code: 'session_revoked',
      reason: 'user_disabled',
    });
    const refused = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email: bob.user.email, password: PASSWORD },
    });
    expect(refused.statusCode).toBe(401);
    expect((await call('POST', `/admin/users/${bob.user.uuid}/enable`, token)).json()).toMatchObject({
      disabled_at: null,
    });
    const again = await signInUser(t.app, bob.user.email);
    expect((await call('DELETE', `/admin/users/${bob.user.uuid}/sessions`, token)).json()).toEqual({
      revoked: 1,
    });
    expect((await call('GET', '/me', again.tokens.access_token)).statusCode).toBe(401);
  });
});

describe('groups and mutual expiry', () => {
  it('a group revoke makes every token of the group’s sessions stale at once; others are untouched', async () => {
    const { token } = await elevatedAdmin(t);
    const device = await registerUser(t.app);
    const inFleet = await signInUser(t.app, device.user.email, { group: 'fleet-7' });
    const otherFleet = await signInUser(t.app, device.user.email, { group: 'fleet-8' });
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email: device.user.email, password: PASSWORD, group: 'fleet-9' },
    });
    expect(errorOf(unknown)).toMatchObject({ code: 'invalid_request', field: 'group' });
    // An admin moves the first session into the fleet too.
    expect(
      (await call('PUT', `/admin/sessions/${device.session.uuid}/group`, token, { group: 'fleet-7' }))
        .statusCode,
    ).toBe(204);
    const listed = await call('GET', `/admin/users/${device.user.uuid}/sessions`, token);
    expect(
      listed
        .json<{ sessions: { uuid: string; group: string | null }[] }>()
        .sessions.filter((session) => session.group === 'fleet-7')
        .map((session) => session.uuid)
        .sort(),
    ).toEqual([device.session.uuid, inFleet.session.uuid].sort());

    t.clock.advance(1000);
    const revoked = await call('POST', '/admin/groups/fleet-7/revoke', token);
    expect(revoked.statusCode).toBe(200);
    for (const session of [device, inFleet]) {
      expect(errorOf(await call('GET', '/me', session.tokens.access_token)).code).toBe('claims_stale');
    }
    expect((await call('GET', '/me', otherFleet.tokens.access_token)).statusCode).toBe(200);
    const fresh = await refreshTokens(t.app, inFleet.tokens);
    expect((await call('GET', '/me', fresh.access_token)).statusCode).toBe(200);
  });

  it('lists and revokes sessions by group (as `keycard sessions … --group` does), alone or with a user', async () => {
    const ada = await registerUser(t.app);
    const bob = await registerUser(t.app);
    const adaFleet = await signInUser(t.app, ada.user.email, { group: 'fleet-8' });
    const bobFleet = await signInUser(t.app, bob.user.email, { group: 'fleet-8' });
    const uuids = (sessions: { uuid: string }[]) => sessions.map((session) => session.uuid).sort();
    // Other tests put sessions in fleet-8 too: these two users' sessions are what is compared.
    const ours = (sessions: { uuid: string; userUuid: string | null }[]) =>
      sessions.filter((session) => session.userUuid === ada.user.uuid || session.userUuid === bob.user.uuid);

    expect(uuids(ours(await t.keycard.admin.listSessions({ groupId: 'fleet-8' }, 1000)))).toEqual(
      [adaFleet.session.uuid, bobFleet.session.uuid].sort(),
    );
    expect(
      uuids(await t.keycard.admin.listSessions({ groupId: 'fleet-8', userUuid: ada.user.uuid }, 10)),
    ).toEqual([adaFleet.session.uuid]);
    expect(await t.keycard.admin.listSessions({ groupId: 'fleet-0' }, 10)).toEqual([]);

    expect(await t.keycard.admin.revokeSessions({ groupId: 'fleet-8', userUuid: bob.user.uuid })).toBe(1);
    expect(errorOf(await call('GET', '/me', bobFleet.tokens.access_token))).toMatchObject({
      code: 'session_revoked',
      reason: 'revoked_by_admin',
    });
    for (const untouched of [ada, bob, adaFleet]) {
      expect((await call('GET', '/me', untouched.tokens.access_token)).statusCode).toBe(200);
    }
  });

  it('every ended session goes out on the feed with its reason (session.ended)', async () => {
    const alice = await registerUser(t.app);
    await call('POST', '/auth/sign_out', alice.tokens.access_token);
    expect(t.events).toContainEqual(
      expect.objectContaining({
        type: 'session_ended',
        userUuid: alice.user.uuid,
        sessionUuid: alice.session.uuid,
        reason: 'sign_out',
      }),
    );
  });
});
