import { bumpUserStamps } from '../claims/bump-stamp.js';
import { KeycardError } from '../core/errors.js';
import type { SessionContext } from '../sessions/session-context.js';
import type { Permission, Role, UserAccess } from './access-store.js';
import { ADMIN_PERMISSION, ADMIN_ROLE, checkPermissionName, checkRoleName } from './permission-names.js';

/**
 * Managing roles and permissions (the admin API and `keycard roles …`). Every change bumps the stamp of every
 * user it affects, so their existing access tokens fail with `claims_stale` and the next refresh carries what
 * they now hold. Names are validated (`invalid_request`); references to nothing are `role_not_found`,
 * `permission_not_found` or `user_not_found`; duplicates `name_taken`. Whatever would take `keycard:admin` from
 * its last enabled holder is refused with `last_admin`, checked by the store in the same transaction as the
 * change (an administrator who is disabled counts for nothing: they cannot sign in).
 */
export interface AccessAdmin {
  createRole(name: string, description?: string | null): Promise<Role>;
  /**
   * The built-in `admin` role cannot be deleted (`builtin_protected`), nor a role whose deletion leaves no
   * enabled holder of `keycard:admin` (`last_admin`).
   */
  deleteRole(name: string): Promise<void>;
  listRoles(): Promise<Role[]>;
  findRole(name: string): Promise<Role>;
  createPermission(name: string, description?: string | null): Promise<Permission>;
  /** `keycard:admin` cannot be deleted (`builtin_protected`). */
  deletePermission(name: string): Promise<void>;
  listPermissions(): Promise<Permission[]>;
  /** Taking `keycard:admin` from a role is refused when that leaves no enabled administrator (`last_admin`). */
  setRolePermission(roleName: string, permissionName: string, granted: boolean): Promise<Role>;
  /** Taking a role that leaves no enabled holder of `keycard:admin` is refused (`last_admin`). */
  setUserRole(userUuid: string, roleName: string, held: boolean): Promise<UserAccess>;
  /** Taking a direct `keycard:admin` from the last enabled administrator is refused (`last_admin`). */
  setUserPermission(userUuid: string, permissionName: string, held: boolean): Promise<UserAccess>;
  /** What a user holds, read from the store. */
  userAccess(userUuid: string): Promise<UserAccess>;
}

export function createAccessAdmin(context: SessionContext): AccessAdmin {
  const { store } = context;
  const findRole = async (name: string) => {
    const role = await store.findRole(name);
    if (role === undefined) throw new KeycardError('role_not_found');
    return role;
  };
  const userMustExist = async (userUuid: string) => {
    if ((await store.findUserByUuid(userUuid)) === undefined) throw new KeycardError('user_not_found');
  };

  return {
    async createRole(name, description = null) {
      const role = { name: checkRoleName(name), description, createdAt: context.clock.now() };
      await store.createRole(role);
      context.emit({ type: 'role_created', role: role.name });
      return { ...role, permissions: [] };
    },
    async deleteRole(name) {
      if (name === ADMIN_ROLE) throw new KeycardError('builtin_protected');
      const holders = await store.deleteRole(name, ADMIN_PERMISSION);
      if (holders === undefined) throw new KeycardError('role_not_found');
      context.emit({ type: 'role_deleted', role: name });
      // Each holder lost it: their own history says so.
      for (const userUuid of holders) context.emit({ type: 'role_unassigned', userUuid, role: name });
      await bumpUserStamps(context, holders);
    },
    listRoles: () => store.listRoles(),
    findRole,
    async createPermission(name, description = null) {
      const permission = { name: checkPermissionName(name), description, createdAt: context.clock.now() };
      await store.createPermission(permission);
      context.emit({ type: 'permission_created', permission: permission.name });
      return permission;
    },
    async deletePermission(name) {
      if (name === ADMIN_PERMISSION) throw new KeycardError('builtin_protected');
      const holders = await store.deletePermission(name);
      if (holders === undefined) throw new KeycardError('permission_not_found');
      context.emit({ type: 'permission_deleted', permission: name });
      await bumpUserStamps(context, holders);
    },
    listPermissions: () => store.listPermissions(),
    async setRolePermission(roleName, permissionName, granted) {
      if (!granted && roleName === ADMIN_ROLE && permissionName === ADMIN_PERMISSION) {
        throw new KeycardError('builtin_protected');
      }
      const holders = await store.setRolePermission(
        roleName,
        permissionName,
        granted,
        granted ? undefined : ADMIN_PERMISSION,
      );
      context.emit({
        type: granted ? 'role_permission_granted' : 'role_permission_revoked',
        role: roleName,
        permission: permissionName,
      });
      await bumpUserStamps(context, holders);
      return findRole(roleName);
    },
    async setUserRole(userUuid, roleName, held) {
      await userMustExist(userUuid);
      if (await store.setUserRole(userUuid, roleName, held, held ? undefined : ADMIN_PERMISSION)) {
        context.emit({ type: held ? 'role_assigned' : 'role_unassigned', userUuid, role: roleName });
        await bumpUserStamps(context, [userUuid]);
      }
      return store.findUserAccess(userUuid);
    },
    async setUserPermission(userUuid, permissionName, held) {
      await userMustExist(userUuid);
      if (
        await store.setUserPermission(userUuid, permissionName, held, held ? undefined : ADMIN_PERMISSION)
      ) {
        context.emit({
          type: held ? 'permission_assigned' : 'permission_unassigned',
          userUuid,
          permission: permissionName,
        });
        await bumpUserStamps(context, [userUuid]);
      }
      return store.findUserAccess(userUuid);
    },
    async userAccess(userUuid) {
      await userMustExist(userUuid);
      return store.findUserAccess(userUuid);
    },
  };
}
