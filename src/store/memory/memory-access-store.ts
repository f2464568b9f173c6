import type { AccessStore, Permission, Role } from '../../access/access-store.js';
import { KeycardError } from '../../core/errors.js';

interface StoredRole {
  readonly name: string;
  readonly description: string | null;
  readonly createdAt: number;
  readonly permissions: Set<string>;
}

/** What the memory store's roles and permissions offer the rest of it. */
export interface MemoryAccessStore extends AccessStore {
  forgetUser(uuid: string): void;
  /**
   * Runs `change` (synchronous, so nothing runs between the check and it), then refuses it with `last_admin`,
   * calling `undo`, when it took the last enabled holder of `keep` (see `AccessStore`).
   */
  keeping<T>(keep: string | undefined, change: () => T, undo: () => void): T;
}

/** Roles and permissions in process memory, for the memory store (seeded like migration 0006). */
export function createMemoryAccessStore(
  checkOpen: () => void,
  userOf: (uuid: string) => { readonly disabledAt: number | null } | undefined,
): MemoryAccessStore {
  const userExists = (uuid: string) => userOf(uuid) !== undefined;
  const roles = new Map<string, StoredRole>([
    [
      'admin',
      {
        name: 'admin',
        description: 'Administers Keycard (built in).',
        createdAt: 0,
        permissions: new Set(['keycard:admin']),
      },
    ],
  ]);
  const permissions = new Map<string, Permission>([
    ['keycard:admin', { name: 'keycard:admin', description: 'The admin API (built in).', createdAt: 0 }],
  ]);
  const userRoles = new Map<string, Set<string>>();
  const userPermissions = new Map<string, Set<string>>();

  const setOf = (map: Map<string, Set<string>>, key: string) => {
    let set = map.get(key);
    if (set === undefined) {
      set = new Set();
      map.set(key, set);
    }
    return set;
  };
  const present = (role: StoredRole): Role => ({
    name: role.name,
    description: role.description,
    createdAt: role.createdAt,
    permissions: [...role.permissions].sort(),
  });
  const holdersOfRole = (name: string) =>
    [...userRoles].filter(([, held]) => held.has(name)).map(([uuid]) => uuid);
  const holdersOfPermission = (name: string) => {
    const holders = new Set([...userPermissions].filter(([, held]) => held.has(name)).map(([uuid]) => uuid));
    for (const role of roles.values()) {
      if (role.permissions.has(name)) for (const uuid of holdersOfRole(role.name)) holders.add(uuid);
    }
    return [...holders];
  };
  const hasEnabledHolder = (permission: string) =>
    holdersOfPermission(permission).some((uuid) => userOf(uuid)?.disabledAt === null);
  const keeping = <T>(keep: string | undefined, change: () => T, undo: () => void): T => {
    const heldBefore = keep !== undefined && hasEnabledHolder(keep);
    const result = change();
    if (keep !== undefined && heldBefore && !hasEnabledHolder(keep)) {
      undo();
      throw new KeycardError('last_admin');
    }
    return result;
  };
  const require = (exists: boolean, code: 'role_not_found' | 'permission_not_found' | 'user_not_found') => {
    if (!exists) throw new KeycardError(code);
  };
  const toggle = (set: Set<string>, value: string, held: boolean) => {
    const had = set.has(value);
    if (held) set.add(value);
    else set.delete(value);
    return had !== held;
  };

  const toggleKeeping = (set: Set<string>, value: string, held: boolean, keep: string | undefined) => {
    const had = set.has(value);
    return keeping(
      held ? undefined : keep,
      () => toggle(set, value, held),
      () => toggle(set, value, had),
    );
  };

  /* eslint-disable @typescript-eslint/require-await -- async like a real store's */
  return {
    async createRole(role) {
      checkOpen();
      if (roles.has(role.name)) throw new KeycardError('name_taken');
      roles.set(role.name, { ...role, permissions: new Set() });
    },
    async deleteRole(name, keep) {
      checkOpen();
      const role = roles.get(name);
      if (role === undefined) return undefined;
      const holders = holdersOfRole(name);
      return keeping(
        keep,
        () => {
          for (const held of userRoles.values()) held.delete(name);
          roles.delete(name);
          return holders;
        },
        () => {
          roles.set(name, role);
          for (const uuid of holders) setOf(userRoles, uuid).add(name);
        },
      );
    },
    async listRoles() {
      checkOpen();
      return [...roles.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map(present);
    },
    async findRole(name) {
      checkOpen();
      const role = roles.get(name);
      return role === undefined ? undefined : present(role);
    },
    async createPermission(permission) {
      checkOpen();
      if (permissions.has(permission.name)) throw new KeycardError('name_taken');
      permissions.set(permission.name, { ...permission });
    },
    async deletePermission(name) {
      checkOpen();
      if (!permissions.has(name)) return undefined;
      const holders = holdersOfPermission(name);
      for (const held of userPermissions.values()) held.delete(name);
      for (const role of roles.values()) role.permissions.delete(name);
      permissions.delete(name);
      return holders;
    },
    async listPermissions() {
      checkOpen();
      return [...permissions.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    },
    async setRolePermission(roleName, permissionName, granted, keep) {
      checkOpen();
      const role = roles.get(roleName);
      require(role !== undefined, 'role_not_found');
      require(permissions.has(permissionName), 'permission_not_found');
      if (role !== undefined) toggleKeeping(role.permissions, permissionName, granted, keep);
      return holdersOfRole(roleName);
    },
    async setUserRole(userUuid, roleName, held, keep) {
      checkOpen();
      require(userExists(userUuid), 'user_not_found');
      require(roles.has(roleName), 'role_not_found');
      return toggleKeeping(setOf(userRoles, userUuid), roleName, held, keep);
    },
    async setUserPermission(userUuid, permissionName, held, keep) {
      checkOpen();
      require(userExists(userUuid), 'user_not_found');
      require(permissions.has(permissionName), 'permission_not_found');
      return toggleKeeping(setOf(userPermissions, userUuid), permissionName, held, keep);
    },
    async findUserAccess(userUuid) {
      checkOpen();
      const held = [...(userRoles.get(userUuid) ?? [])].sort();
      const effective = new Set(userPermissions.get(userUuid) ?? []);
      for (const name of held)
        for (const permission of roles.get(name)?.permissions ?? []) effective.add(permission);
      return { roles: held, permissions: [...effective].sort() };
    },
    async listRoleHolders(roleName) {
      checkOpen();
      return holdersOfRole(roleName);
    },
    async listPermissionHolders(permissionName) {
      checkOpen();
      return holdersOfPermission(permissionName);
    },
    keeping,
    forgetUser(uuid) {
      userRoles.delete(uuid);
      userPermissions.delete(uuid);
    },
  };
  /* eslint-enable @typescript-eslint/require-await */
}
