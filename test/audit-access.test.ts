import { describe, expect, it } from 'vitest';
import { bearer, elevatedAdmin, registerUser, signInUser, useTestKeycard } from './support/test-keycard.js';

const t = useTestKeycard({}, { auditLog: true });
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const ADMIN_DESK = { remoteAddress: '203.0.113.9', headers: { 'user-agent': 'AdminDesk/2.0' } };

interface EventJson {
  type: string;
  session_uuid: string | null;
  reason: string | null;
  ip: string | null;
  actor_uuid: string | null;
  role: string | null;
  permission: string | null;
}

/** A call from the administrator's desk. */
function adminCall(method: Method, url: string, accessToken: string) {
  return t.app.inject({
    method,
    url,
    remoteAddress: ADMIN_DESK.remoteAddress,
    headers: { ...ADMIN_DESK.headers, ...bearer(accessToken) },
  });
}

/** A user's own history as `GET /me/events` shows it, newest first. */
async function myEvents(accessToken: string): Promise<EventJson[]> {
  const response = await t.app.inject({
    method: 'GET',
    url: '/me/events?limit=100',
    headers: bearer(accessToken),
  });
  expect(response.statusCode).toBe(200);
  return response.json<{ events: EventJson[] }>().events;
}

const about = (event: EventJson) => [event.type, event.role ?? event.permission ?? event.reason];

describe('the audit log of roles and permissions', () => {
  it("records what an administrator gives and takes in the target's history, with who did it and from where", async () => {
    const { admin, token } = await elevatedAdmin(t);
    const alice = await registerUser(t.app);
    const uuid = alice.user.uuid;
    for (const [method, url, status] of [
      ['POST', '/admin/permissions', 201],
      ['PUT', `/admin/users/${uuid}/permissions/notes:read`, 200],
      ['PUT', `/admin/users/${uuid}/roles/admin`, 200],
      ['DELETE', `/admin/users/${uuid}/permissions/notes:read`, 200],
      ['DELETE', `/admin/users/${uuid}/roles/admin`, 200],
      // Taken again: nothing changed, nothing recorded.
      ['DELETE', `/admin/users/${uuid}/roles/admin`, 200],
      ['POST', `/admin/users/${uuid}/disable`, 200],
      ['POST', `/admin/users/${uuid}/enable`, 200],
    ] as const) {
      const response = await t.app.inject({
        method,
        url,
        remoteAddress: ADMIN_DESK.remoteAddress,
        headers: { ...ADMIN_DESK.headers, ...bearer(token) },
        ...(url === '/admin/permissions' ? { payload: { name: 'notes:read' } } : {}),
      });
      expect(response.statusCode, `${method} ${url}`).toBe(status);
    }

    const again = await signInUser(t.app, alice.user.email);
    const events = await myEvents(again.tokens.access_token);
    const byAdmin = events.filter((event) => event.actor_uuid === admin.user.uuid);
    expect(byAdmin.map(about)).toEqual([
      ['user_enabled', null],
      // Disabling revoked her session: the revocation is the administrator's doing too.
      ['revoked', 'user_disabled'],
      ['user_disabled', null],
      ['role_removed', 'admin'],
      ['permission_removed', 'notes:read'],
      ['role_granted', 'admin'],
      ['permission_granted', 'notes:read'],
    ]);
    expect(byAdmin.every((event) => event.ip === ADMIN_DESK.remoteAddress)).toBe(true);
    expect(byAdmin.find((event) => event.type === 'role_granted')).toMatchObject({
      session_uuid: null,
      reason: null,
      permission: null,
    });
    // Her own doings carry no actor.
    expect(events.filter((event) => event.actor_uuid === null).map((event) => event.type)).toEqual([
      'created',
      'created',
    ]);
  });

  it("records changes to roles and permissions themselves in the administrator's own history", async () => {
    const { admin, token } = await elevatedAdmin(t);
    const bob = await registerUser(t.app);
    const calls: [Method, string, object?][] = [
      ['POST', '/admin/roles', { name: 'editor' }],
      ['PUT', '/admin/roles/editor/permissions/keycard:admin'],
      ['DELETE', '/admin/roles/editor/permissions/keycard:admin'],
      ['PUT', `/admin/users/${bob.user.uuid}/roles/editor`],
      ['POST', '/admin/permissions', { name: 'notes:write' }],
      ['DELETE', '/admin/permissions/notes:write'],
      ['DELETE', '/admin/roles/editor'],
    ];
    for (const [method, url, payload] of calls) {
      const response = await t.app.inject({
        method,
        url,
        headers: bearer(token),
        ...(payload === undefined ? {} : { payload }),
      });
      expect(response.statusCode, `${method} ${url}`).toBeLessThan(300);
    }
    const mine = (await myEvents(token)).filter((event) => event.actor_uuid === admin.user.uuid);
    expect(mine.map((event) => [event.type, event.role, event.permission])).toEqual([
      ['role_deleted', 'editor', null],
      ['permission_deleted', null, 'notes:write'],
      ['permission_created', null, 'notes:write'],
      ['role_permission_removed', 'editor', 'keycard:admin'],
      ['role_permission_granted', 'editor', 'keycard:admin'],
      ['role_created', 'editor', null],
    ]);
    // Bob held the deleted role: his history says he lost it, and who took it.
    const bobs = (await t.keycard.listUserEvents(bob.user.uuid)).events;
    expect(bobs.map((event) => [event.type, event.role, event.actorUuid])).toEqual([
      ['role_removed', 'editor', admin.user.uuid],
      ['role_granted', 'editor', admin.user.uuid],
      ['created', null, null],
    ]);
  });

  it('the command line (and any direct call) acts as nobody: the rows say no actor and no address', async () => {
    const carol = await registerUser(t.app);
    const { access } = t.keycard.admin;
    await access.createRole('viewer');
    await access.setUserRole(carol.user.uuid, 'viewer', true);
    await access.setUserRole(carol.user.uuid, 'viewer', false);
    const events = await myEvents(carol.tokens.access_token);
    expect(events.slice(0, 2)).toEqual([
      expect.objectContaining({ type: 'role_removed', role: 'viewer', actor_uuid: null, ip: null }),
      expect.objectContaining({ type: 'role_granted', role: 'viewer', actor_uuid: null, ip: null }),
    ]);
  });

  it('an unknown role or permission changes nothing and records nothing', async () => {
    const { token } = await elevatedAdmin(t);
    const dave = await registerUser(t.app);
    const before = (await t.keycard.listUserEvents(dave.user.uuid)).events.length;
    for (const url of [
      `/admin/users/${dave.user.uuid}/roles/nobody`,
      `/admin/users/${dave.user.uuid}/permissions/no:such`,
    ]) {
      const response = await adminCall('PUT', url, token);
      expect(response.statusCode).toBe(404);
    }
    expect((await t.keycard.listUserEvents(dave.user.uuid)).events).toHaveLength(before);
  });
});
