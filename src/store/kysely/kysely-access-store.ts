import { type Kysely, sql } from 'kysely';
import type { AccessStore, Role } from '../../access/access-store.js';
import { KeycardError } from '../../core/errors.js';
import type { KeycardDatabase } from './database.js';
import type { KyselyDialectErrors } from './kysely-store.js';
import { keepingHolder } from './keeping-holder.js';

type Guard = <T>(operation: () => Promise<T>) => Promise<T>;

/** Roles and permissions over Kysely. Links cascade from users, roles and permissions (migration 0006). */
export function createKyselyAccessStore(
  db: Kysely<KeycardDatabase>,
  guard: Guard,
  errors: KyselyDialectErrors,
): AccessStore {
  const insertNamed = async (insert: () => Promise<unknown>) => {
    try {
      await insert();
    } catch (error) {
      if (errors.isUniqueViolation(error)) throw new KeycardError('name_taken', { cause: error });
      throw error;
    }
  };
  const roleExists = async (name: string) =>
    (await db.selectFrom('roles').select('name').where('name', '=', name).executeTakeFirst()) !== undefined;
  const permissionExists = async (name: string) =>
    (await db.selectFrom('permissions').select('name').where('name', '=', name).executeTakeFirst()) !==
    undefined;
  const userExists = async (uuid: string) =>
    (await db.selectFrom('users').select('uuid').where('uuid', '=', uuid).executeTakeFirst()) !== undefined;
  const requireAll = async (checks: [Promise<boolean>, 'role' | 'permission' | 'user'][]) => {
    for (const [exists, what] of checks) {
      if (!(await exists)) throw new KeycardError(`${what}_not_found`);
    }
  };
  const roleHolders = async (roleName: string) =>
    (await db.selectFrom('user_roles').select('user_uuid').where('role_name', '=', roleName).execute()).map(
      (row) => row.user_uuid,
    );
  const permissionHolders = async (permissionName: string) => {
    const [direct, viaRoles] = await Promise.all([
      db
        .selectFrom('user_permissions')
        .select('user_uuid')
        .where('permission_name', '=', permissionName)
        .execute(),
      db
        .selectFrom('user_roles')
        .innerJoin('role_permissions', 'role_permissions.role_name', 'user_roles.role_name')
        .select('user_roles.user_uuid')
        .where('role_permissions.permission_name', '=', permissionName)
        .execute(),
    ]);
    return [...new Set([...direct, ...viaRoles].map((row) => row.user_uuid))];
  };
  const rolesWithPermissions = async (names?: string) => {
    let query = db.selectFrom('roles').selectAll().orderBy('name');
    if (names !== undefined) query = query.where('name', '=', names);
    const roles = await query.execute();
    if (roles.length === 0) return [];
    const links = await db
      .selectFrom('role_permissions')
      .selectAll()
      .where(
        'role_name',
        'in',
        roles.map((role) => role.name),
      )
      .orderBy('permission_name')
      .execute();
    return roles.map((role): Role => ({
      name: role.name,
      description: role.description,
      createdAt: role.created_at,
      permissions: links.filter((link) => link.role_name === role.name).map((link) => link.permission_name),
    }));
  };

  return {
    createRole: (role) =>
      guard(() =>
        insertNamed(() =>
          db
            .insertInto('roles')
            .values({ name: role.name, description: role.description, created_at: role.createdAt })
            .execute(),
        ),
      ),

    deleteRole: (name, keep) =>
      guard(async () => {
        if (!(await roleExists(name))) return undefined;
        const holders = await roleHolders(name);
        await keepingHolder(db, keep, async (trx) => {
          await trx.deleteFrom('user_roles').where('role_name', '=', name).execute();
          await trx.deleteFrom('role_permissions').where('role_name', '=', name).execute();
          await trx.deleteFrom('roles').where('name', '=', name).execute();
        });
        return holders;
      }),

    listRoles: () => guard(() => rolesWithPermissions()),

    findRole: (name) => guard(async () => (await rolesWithPermissions(name))[0]),

    createPermission: (permission) =>
      guard(() =>
        insertNamed(() =>
          db
            .insertInto('permissions')
            .values({
              name: permission.name,
              description: permission.description,
              created_at: permission.createdAt,
            })
            .execute(),
        ),
      ),

    deletePermission: (name) =>
      guard(async () => {
        if (!(await permissionExists(name))) return undefined;
        const holders = await permissionHolders(name);
        await db.transaction().execute(async (trx) => {
          await trx.deleteFrom('user_permissions').where('permission_name', '=', name).execute();
          await trx.deleteFrom('role_permissions').where('permission_name', '=', name).execute();
          await trx.deleteFrom('permissions').where('name', '=', name).execute();
        });
        return holders;
      }),

    listPermissions: () =>
      guard(async () =>
        (await db.selectFrom('permissions').selectAll().orderBy('name').execute()).map((row) => ({
          name: row.name,
          description: row.description,
          createdAt: row.created_at,
        })),
      ),

    setRolePermission: (roleName, permissionName, granted, keep) =>
      guard(async () => {
        await requireAll([
          [roleExists(roleName), 'role'],
          [permissionExists(permissionName), 'permission'],
        ]);
        if (granted) {
          await db
            .insertInto('role_permissions')
            .values({ role_name: roleName, permission_name: permissionName })
            .onConflict((oc) => oc.columns(['role_name', 'permission_name']).doNothing())
            .execute();
        } else {
          await keepingHolder(db, keep, (trx) =>
            trx
              .deleteFrom('role_permissions')
              .where('role_name', '=', roleName)
              .where('permission_name', '=', permissionName)
              .execute(),
          );
        }
        return roleHolders(roleName);
      }),

    setUserRole: (userUuid, roleName, held, keep) =>
      guard(async () => {
        await requireAll([
          [userExists(userUuid), 'user'],
          [roleExists(roleName), 'role'],
        ]);
        const result = held
          ? await db
              .insertInto('user_roles')
              .values({ user_uuid: userUuid, role_name: roleName })
              .onConflict((oc) => oc.columns(['user_uuid', 'role_name']).doNothing())
              .executeTakeFirst()
          : await keepingHolder(db, keep, (trx) =>
              trx
                .deleteFrom('user_roles')
                .where('user_uuid', '=', userUuid)
                .where('role_name', '=', roleName)
                .executeTakeFirst(),
            );
        return (
          Number(
            'numInsertedOrUpdatedRows' in result ? result.numInsertedOrUpdatedRows : result.numDeletedRows,
          ) > 0
        );
      }),

    setUserPermission: (userUuid, permissionName, held, keep) =>
      guard(async () => {
        await requireAll([
          [userExists(userUuid), 'user'],
          [permissionExists(permissionName), 'permission'],
        ]);
        const result = held
          ? await db
              .insertInto('user_permissions')
              .values({ user_uuid: userUuid, permission_name: permissionName })
              .onConflict((oc) => oc.columns(['user_uuid', 'permission_name']).doNothing())
              .executeTakeFirst()
          : await keepingHolder(db, keep, (trx) =>
              trx
                .deleteFrom('user_permissions')
                .where('user_uuid', '=', userUuid)
                .where('permission_name', '=', permissionName)
                .executeTakeFirst(),
            );
        return (
          Number(
            'numInsertedOrUpdatedRows' in result ? result.numInsertedOrUpdatedRows : result.numDeletedRows,
          ) > 0
        );
      }),

    findUserAccess: (userUuid) =>
      guard(async () => {
        // One statement: roles (kind r), direct permissions and those of the roles (kind p).
        const rows = await db
          .selectFrom('user_roles')
          .select([sql<string>`'r'`.as('kind'), 'role_name as name'])
          .where('user_uuid', '=', userUuid)
          .unionAll(
            db
              .selectFrom('user_permissions')
              .select([sql<string>`'p'`.as('kind'), 'permission_name as name'])
              .where('user_uuid', '=', userUuid),
          )
          .unionAll(
            db
              .selectFrom('user_roles')
              .innerJoin('role_permissions', 'role_permissions.role_name', 'user_roles.role_name')
              .select([sql<string>`'p'`.as('kind'), 'role_permissions.permission_name as name'])
              .where('user_roles.user_uuid', '=', userUuid),
          )
          .execute();
        const namesOf = (kind: string) =>
          [...new Set(rows.filter((row) => row.kind === kind).map((row) => row.name))].sort();
        return { roles: namesOf('r'), permissions: namesOf('p') };
      }),

    listRoleHolders: (roleName) => guard(() => roleHolders(roleName)),
    listPermissionHolders: (permissionName) => guard(() => permissionHolders(permissionName)),
  };
}
