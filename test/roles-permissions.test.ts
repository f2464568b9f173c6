import { describe, expect, it, vi } from 'vitest';
import { requireElevated, requirePermission, requireRole } from '../src/index.js';
import {
  bearer,
  errorOf,
  registerUser,
  type SignedInJson,
  type TokensJson,
  useTestKeycard,
  refreshTokens,
} from './support/test-keycard.js';

const t = useTestKeycard();

/** Routes of an embedding app, guarded by Keycard's exported preHandlers (added before the app is ready). */
function addAppRoutes() {
  t.app.get('/notes', { preHandler: requirePermission('notes:write') }, () => ({ ok: true }));
  t.app.get('/editors', { preHandler: requireRole('editor') }, () => ({ ok: true }));
  t.app.get('/sensitive', { preHandler: requireElevated() }, () => ({ ok: true }));
}

function get(url: string, accessToken: string) {
  return t.app.inject({ method: 'GET', url, headers: bearer(accessToken) });
}

/** After a change: the old token is stale, a refresh gives one that works; returns its /me body. */
async function staleThenRefreshed(
  user: SignedInJson,
): Promise<{ tokens: TokensJson; permissions: string[] }> {
  const stale = await get('/me', user.tokens.access_token);
  expect(stale.statusCode).toBe(401);
  expect(errorOf(stale).code).toBe('claims_stale');
  const tokens = await refreshTokens(t.app, user.tokens);
  const me = await get('/me', tokens.access_token);
  expect(me.statusCode).toBe(200);
  return { tokens, permissions: me.json<{ permissions: string[] }>().permissions };
}

describe('roles and permissions', () => {
  it('a direct permission: granted, it passes requirePermission; removed, the old token is stale and the next 403s', async () => {
    addAppRoutes();
    const alice = await registerUser(t.app);
    const denied = await get('/notes', alice.tokens.access_token);
    expect(denied.statusCode).toBe(403);
    expect(errorOf(denied)).toMatchObject({ code: 'permission_denied', permission: 'notes:write' });
    const me = await get('/me', alice.tokens.access_token);
    expect(me.json()).toMatchObject({ roles: [], permissions: [], elevated_until: null });

    await t.keycard.admin.access.createPermission('notes:write');
    t.clock.advance(1000);
    await t.keycard.admin.access.setUserPermission(alice.user.uuid, 'notes:write', true);
    const granted = await staleThenRefreshed(alice);
    expect(granted.permissions).toEqual(['notes:write']);
    expect((await get('/notes', granted.tokens.access_token)).statusCode).toBe(200);

    t.clock.advance(1000);
    await t.keycard.admin.access.setUserPermission(alice.user.uuid, 'notes:write', false);
    const removed = await staleThenRefreshed({ ...alice, tokens: granted.tokens });
    expect(removed.permissions).toEqual([]);
    expect((await get('/notes', removed.tokens.access_token)).statusCode).toBe(403);
  });

  it('through a role: granted with the role, lost when the role loses it, and when the role is deleted', async () => {
    addAppRoutes();
    const alice = await registerUser(t.app);
    const bob = await registerUser(t.app);
    const { access } = t.keycard.admin;
    await access.createPermission('notes:write', 'Write notes');
    await access.createPermission('notes:read');
    await access.createRole('editor', 'Edits notes');
    await access.setRolePermission('editor', 'notes:write', true);
    t.clock.advance(1000);
    await access.setUserRole(alice.user.uuid, 'editor', true);
    await access.setUserPermission(alice.user.uuid, 'notes:read', true);

    const withRole = await staleThenRefreshed(alice);
    expect(withRole.permissions).toEqual(['notes:read', 'notes:write']);
    expect((await get('/notes', withRole.tokens.access_token)).statusCode).toBe(200);
    expect((await get('/editors', withRole.tokens.access_token)).statusCode).toBe(200);
    const noRole = await get('/editors', bob.tokens.access_token);
    expect(errorOf(noRole)).toMatchObject({ code: 'permission_denied', permission: 'role:editor' });
    // Bob was not affected by any of it: his token still works.
    expect((await get('/me', bob.tokens.access_token)).statusCode).toBe(200);

    t.clock.advance(1000);
    await access.setRolePermission('editor', 'notes:write', false);
    const lost = await staleThenRefreshed({ ...alice, tokens: withRole.tokens });
    expect(lost.permissions).toEqual(['notes:read']);
    expect((await get('/notes', lost.tokens.access_token)).statusCode).toBe(403);

    await access.setRolePermission('editor', 'notes:write', true);
    const again = await refreshTokens(t.app, lost.tokens);
    expect((await get('/notes', again.access_token)).statusCode).toBe(200);
    t.clock.advance(1000);
    await access.deleteRole('editor');
    const deleted = await staleThenRefreshed({ ...alice, tokens: again });
    expect(deleted.permissions).toEqual(['notes:read']);
    expect((await get('/notes', deleted.tokens.access_token)).statusCode).toBe(403);
    expect((await get('/editors', deleted.tokens.access_token)).statusCode).toBe(403);
    expect(await access.listRoles()).toEqual([
      expect.objectContaining({ name: 'admin', permissions: ['keycard:admin'] }),
    ]);
  });

  it('checking a permission costs no SQL once the user’s access is held', async () => {
    addAppRoutes();
    const alice = await registerUser(t.app);
    await t.keycard.admin.access.createPermission('notes:write');
    t.clock.advance(1000);
    await t.keycard.admin.access.setUserPermission(alice.user.uuid, 'notes:write', true);
    const tokens = await refreshTokens(t.app, alice.tokens);
    const reads = vi.spyOn(t.store, 'findUserAccess');
    const sessionReads = vi.spyOn(t.store, 'findSessionAndUser');
    for (let request = 0; request < 5; request += 1) {
      expect((await get('/notes', tokens.access_token)).statusCode).toBe(200);
      expect((await get('/me', tokens.access_token)).statusCode).toBe(200);
    }
    expect(reads).not.toHaveBeenCalled();
    expect(sessionReads).not.toHaveBeenCalled();
  });

  it('refuses bad input: invalid and duplicate names, unknown roles, permissions and users, the built-ins', async () => {
    const alice = await registerUser(t.app);
    const { access } = t.keycard.admin;
    for (const name of ['Notes:Write', 'notes', 'notes:', ':write', 'notes write', 'a'.repeat(200) + ':x']) {
      await expect(access.createPermission(name)).rejects.toMatchObject({
        code: 'invalid_request',
        details: { field: 'name' },
      });
    }
    for (const name of ['Editor', 'editor!', '', 'x'.repeat(65), '1editor']) {
      await expect(access.createRole(name)).rejects.toMatchObject({ code: 'invalid_request' });
    }
    await access.createRole('editor');
    await access.createPermission('notes:write');
    await expect(access.createRole('editor')).rejects.toMatchObject({ code: 'name_taken' });
    await expect(access.createRole('admin')).rejects.toMatchObject({ code: 'name_taken' });
    await expect(access.createPermission('notes:write')).rejects.toMatchObject({ code: 'name_taken' });
    await expect(access.setUserRole(alice.user.uuid, 'nobody', true)).rejects.toMatchObject({
      code: 'role_not_found',
    });
    await expect(access.setUserPermission(alice.user.uuid, 'notes:delete', true)).rejects.toMatchObject({
      code: 'permission_not_found',
    });
    await expect(access.setRolePermission('nobody', 'notes:write', true)).rejects.toMatchObject({
      code: 'role_not_found',
    });
    await expect(access.setRolePermission('editor', 'notes:delete', true)).rejects.toMatchObject({
      code: 'permission_not_found',
    });
    await expect(
      access.setUserRole('00000000-0000-4000-8000-000000000000', 'editor', true),
    ).rejects.toMatchObject({ code: 'user_not_found' });
    await expect(access.deleteRole('nobody')).rejects.toMatchObject({ code: 'role_not_found' });
    await expect(access.deletePermission('notes:delete')).rejects.toMatchObject({
      code: 'permission_not_found',
    });
    await expect(access.deleteRole('admin')).rejects.toMatchObject({ code: 'builtin_protected' });
    await expect(access.deletePermission('keycard:admin')).rejects.toMatchObject({
      code: 'builtin_protected',
    });
    await expect(access.setRolePermission('admin', 'keycard:admin', false)).rejects.toMatchObject({
      code: 'builtin_protected',
    });
    // Nothing was lost on the way.
    expect((await access.findRole('editor')).permissions).toEqual([]);
    expect((await access.listPermissions()).map((permission) => permission.name)).toEqual([
      'keycard:admin',
      'notes:write',
    ]);
  });

  it('the last administrator cannot be demoted, stripped or disabled; with a second one they can', async () => {
    const alice = await registerUser(t.app);
    const bob = await registerUser(t.app);
    const { access } = t.keycard.admin;
    await access.setUserRole(alice.user.uuid, 'admin', true);
    await expect(access.setUserRole(alice.user.uuid, 'admin', false)).rejects.toMatchObject({
      code: 'last_admin',
    });
    await expect(t.keycard.admin.disableUser(alice.user.uuid)).rejects.toMatchObject({ code: 'last_admin' });
    expect((await access.userAccess(alice.user.uuid)).roles).toEqual(['admin']);

    await access.setUserPermission(bob.user.uuid, 'keycard:admin', true);
    await expect(access.setUserPermission(bob.user.uuid, 'keycard:admin', false)).resolves.toMatchObject({
      permissions: [],
    });
    await access.setUserPermission(bob.user.uuid, 'keycard:admin', true);
    await expect(access.setUserRole(alice.user.uuid, 'admin', false)).resolves.toMatchObject({ roles: [] });
    await expect(access.setUserPermission(bob.user.uuid, 'keycard:admin', false)).rejects.toMatchObject({
      code: 'last_admin',
    });
  });

  it('two administrators removed at once (demoted, stripped, disabled, their role deleted): one is refused, one is left', async () => {
    const { access } = t.keycard.admin;
    await access.createRole('owners');
    await access.setRolePermission('owners', 'keycard:admin', true);
    const removals: [string, (uuid: string) => Promise<unknown>][] = [
      ['admin role', (uuid) => access.setUserRole(uuid, 'admin', false)],
      ['direct permission', (uuid) => access.setUserPermission(uuid, 'keycard:admin', false)],
      ['disabled', (uuid) => t.keycard.admin.disableUser(uuid)],
    ];
    for (const [what, remove] of removals) {
      for (let round = 0; round < 3; round += 1) {
        const alice = await registerUser(t.app);
        const bob = await registerUser(t.app);
        const give = what === 'direct permission' ? 'permission' : 'role';
        for (const user of [alice, bob]) {
          if (give === 'role') await access.setUserRole(user.user.uuid, 'admin', true);
          else await access.setUserPermission(user.user.uuid, 'keycard:admin', true);
        }
        // Earlier rounds' administrators must be gone, or nobody would be the last one.
        await removeEveryAdminBut([alice.user.uuid, bob.user.uuid]);
        const outcomes = await Promise.allSettled([remove(alice.user.uuid), remove(bob.user.uuid)]);
        const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
        expect(refused, what).toHaveLength(1);
        expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'last_admin' });
        expect(await enabledAdmins(), what).toHaveLength(1);
      }
    }

    // A role of their own: taking keycard:admin from it, or deleting it, is refused for its last holder alone.
    const carol = await registerUser(t.app);
    await access.setUserRole(carol.user.uuid, 'owners', true);
    await removeEveryAdminBut([carol.user.uuid]);
    await expect(access.setRolePermission('owners', 'keycard:admin', false)).rejects.toMatchObject({
      code: 'last_admin',
    });
    await expect(access.deleteRole('owners')).rejects.toMatchObject({ code: 'last_admin' });
    expect((await access.findRole('owners')).permissions).toEqual(['keycard:admin']);
    expect((await access.userAccess(carol.user.uuid)).roles).toEqual(['owners']);
    await access.setUserPermission(carol.user.uuid, 'keycard:admin', true);
    await expect(access.deleteRole('owners')).resolves.toBeUndefined();
  });

  it('a disabled administrator counts for nothing: the last enabled one cannot be demoted', async () => {
    const { access } = t.keycard.admin;
    const alice = await registerUser(t.app);
    const bob = await registerUser(t.app);
    await access.setUserRole(alice.user.uuid, 'admin', true);
    await access.setUserRole(bob.user.uuid, 'admin', true);
    await t.keycard.admin.disableUser(bob.user.uuid);
    await expect(access.setUserRole(alice.user.uuid, 'admin', false)).rejects.toMatchObject({
      code: 'last_admin',
    });
    await t.keycard.admin.enableUser(bob.user.uuid);
    await expect(access.setUserRole(alice.user.uuid, 'admin', false)).resolves.toMatchObject({ roles: [] });
  });
});

/** The enabled users holding keycard:admin. */
async function enabledAdmins(): Promise<string[]> {
  const holders = await t.store.listPermissionHolders('keycard:admin');
  const users = await Promise.all(holders.map((uuid) => t.store.findUserByUuid(uuid)));
  return users
    .filter((user) => user !== undefined && user.disabledAt === null)
    .map((user) => user?.uuid ?? '');
}

/** Takes keycard:admin from every holder but `keep`, straight in the store (no last-admin check: `keep` stay). */
async function removeEveryAdminBut(keep: readonly string[]): Promise<void> {
  for (const uuid of await t.store.listPermissionHolders('keycard:admin')) {
    if (keep.includes(uuid)) continue;
    await t.store.setUserRole(uuid, 'admin', false);
    await t.store.setUserPermission(uuid, 'keycard:admin', false);
    await t.store.setUserRole(uuid, 'owners', false);
  }
}
