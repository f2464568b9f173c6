/** A role as administration shows it, with the permissions it grants. */
export interface Role {
  readonly name: string;
  readonly description: string | null;
  readonly permissions: readonly string[];
  readonly createdAt: number;
}

export interface Permission {
  readonly name: string;
  readonly description: string | null;
  readonly createdAt: number;
}

/** What a user holds: roles, and the permissions granted directly or through those roles (sorted, distinct). */
export interface UserAccess {
  readonly roles: readonly string[];
  readonly permissions: readonly string[];
}

/** What a new account or an anonymous session holds. */
export const NO_ACCESS: UserAccess = { roles: [], permissions: [] };

/**
 * What roles and permissions need from storage: domain operations, each answering which users it affected so
 * their stamps can be bumped. Throws `name_taken` for a duplicate name, `role_not_found`,
 * `permission_not_found` and `user_not_found` for a reference to nothing.
 *
 * `keep`, on the operations that take something away: a permission (`keycard:admin`) that must keep an enabled
 * holder. The change is then refused with `last_admin` when it would take the last one, checked and made as one
 * step, so two concurrent changes cannot both pass on seeing the other's holder still there.
 */
export interface AccessStore {
  createRole(role: Omit<Role, 'permissions'>): Promise<void>;
  /** Deletes a role and its links; returns the users who held it, undefined when there is no such role. */
  deleteRole(name: string, keep?: string): Promise<string[] | undefined>;
  listRoles(): Promise<Role[]>;
  findRole(name: string): Promise<Role | undefined>;
  createPermission(permission: Permission): Promise<void>;
  /** Deletes a permission and its links; returns the users who held it (directly or by a role), or undefined. */
  deletePermission(name: string): Promise<string[] | undefined>;
  listPermissions(): Promise<Permission[]>;
  /** Adds (or with `granted` false removes) a permission of a role; returns the role's holders. */
  setRolePermission(
    roleName: string,
    permissionName: string,
    granted: boolean,
    keep?: string,
  ): Promise<string[]>;
  /** Gives (or takes) a role; returns whether anything changed. */
  setUserRole(userUuid: string, roleName: string, held: boolean, keep?: string): Promise<boolean>;
  /** Gives (or takes) a direct permission; returns whether anything changed. */
  setUserPermission(userUuid: string, permissionName: string, held: boolean, keep?: string): Promise<boolean>;
  /** Roles and effective permissions of a user (none for an unknown user). */
  findUserAccess(userUuid: string): Promise<UserAccess>;
  /** Uuids of the users holding a role. */
  listRoleHolders(roleName: string): Promise<string[]>;
  /** Uuids of the users holding a permission, directly or through a role. */
  listPermissionHolders(permissionName: string): Promise<string[]>;
}
