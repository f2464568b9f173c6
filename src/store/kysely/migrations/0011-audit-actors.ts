import type { Kysely, Migration } from 'kysely';

/**
 * The audit log learns who acted (an administrator, on someone else) and on which role or permission: rows for
 * roles and permissions given and taken, and for their administration. All three may be null; older rows are.
 */
export const auditActors: Migration = {
  async up(db: Kysely<unknown>) {
    // One column per statement: SQLite adds one at a time.
    const table = () => db.schema.alterTable('session_events');
    await table().addColumn('actor_uuid', 'varchar(36)').execute();
    await table().addColumn('role_name', 'varchar(64)').execute();
    await table().addColumn('permission_name', 'varchar(128)').execute();
  },
  async down(db: Kysely<unknown>) {
    const table = () => db.schema.alterTable('session_events');
    for (const column of ['permission_name', 'role_name', 'actor_uuid']) {
      await table().dropColumn(column).execute();
    }
  },
};
