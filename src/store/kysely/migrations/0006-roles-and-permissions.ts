import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Roles and permissions (seed 001: users *–* roles *–* permissions, and users may hold permissions directly):
 * named by their names, which are validated and never renamed. The built-in `admin` role holds `keycard:admin`.
 */
export const rolesAndPermissions: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('roles')
      .addColumn('name', 'varchar(64)', (column) => column.primaryKey())
      .addColumn('description', 'text')
      .addColumn('created_at', 'bigint', (column) => column.notNull())
      .execute();
    await db.schema
      .createTable('permissions')
      .addColumn('name', 'varchar(128)', (column) => column.primaryKey())
      .addColumn('description', 'text')
      .addColumn('created_at', 'bigint', (column) => column.notNull())
      .execute();
    await db.schema
      .createTable('role_permissions')
      .addColumn('role_name', 'varchar(64)', (column) =>
        column.notNull().references('roles.name').onDelete('cascade'),
      )
      .addColumn('permission_name', 'varchar(128)', (column) =>
        column.notNull().references('permissions.name').onDelete('cascade'),
      )
      .addPrimaryKeyConstraint('role_permissions_pk', ['role_name', 'permission_name'])
      .execute();
    await db.schema
      .createTable('user_roles')
      .addColumn('user_uuid', 'varchar(36)', (column) =>
        column.notNull().references('users.uuid').onDelete('cascade'),
      )
      .addColumn('role_name', 'varchar(64)', (column) =>
        column.notNull().references('roles.name').onDelete('cascade'),
      )
      .addPrimaryKeyConstraint('user_roles_pk', ['user_uuid', 'role_name'])
      .execute();
    await db.schema.createIndex('user_roles_role_name_idx').on('user_roles').column('role_name').execute();
    await db.schema
      .createTable('user_permissions')
      .addColumn('user_uuid', 'varchar(36)', (column) =>
        column.notNull().references('users.uuid').onDelete('cascade'),
      )
      .addColumn('permission_name', 'varchar(128)', (column) =>
        column.notNull().references('permissions.name').onDelete('cascade'),
      )
      .addPrimaryKeyConstraint('user_permissions_pk', ['user_uuid', 'permission_name'])
      .execute();
    await db.schema
      .createIndex('user_permissions_permission_name_idx')
      .on('user_permissions')
      .column('permission_name')
      .execute();
    const now = Date.now();
    await sql`insert into roles (name, description, created_at) values ('admin', 'Administers Keycard (built in).', ${now})`.execute(
      db,
    );
    await sql`insert into permissions (name, description, created_at) values ('keycard:admin', 'The admin API (built in).', ${now})`.execute(
      db,
    );
    await sql`insert into role_permissions (role_name, permission_name) values ('admin', 'keycard:admin')`.execute(
      db,
    );
  },
  async down(db: Kysely<unknown>) {
    for (const table of ['user_permissions', 'user_roles', 'role_permissions', 'permissions', 'roles']) {
      await db.schema.dropTable(table).execute();
    }
  },
};
