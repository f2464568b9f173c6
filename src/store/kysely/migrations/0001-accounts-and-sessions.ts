import type { Kysely, Migration } from 'kysely';

/** Users, live sessions (the sessions spec's table plus token state) and tombstones of ended sessions. */
export const accountsAndSessions: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('users')
      .addColumn('uuid', 'varchar(36)', (column) => column.primaryKey())
      .addColumn('email', 'varchar(254)', (column) => column.notNull().unique())
      .addColumn('password_hash', 'text', (column) => column.notNull())
      .addColumn('version', 'varchar(10)', (column) => column.notNull())
      .addColumn('created_at', 'bigint', (column) => column.notNull())
      .addColumn('updated_at', 'bigint', (column) => column.notNull())
      .execute();

    await db.schema
      .createTable('sessions')
      .addColumn('uuid', 'varchar(36)', (column) => column.primaryKey())
      .addColumn('version', 'varchar(50)', (column) => column.notNull())
      .addColumn('user_uuid', 'varchar(36)', (column) =>
        column.notNull().references('users.uuid').onDelete('cascade'),
      )
      .addColumn('user_agent', 'text')
      .addColumn('created_at', 'bigint', (column) => column.notNull())
      .addColumn('updated_at', 'bigint', (column) => column.notNull())
      .addColumn('remember', 'integer', (column) => column.notNull())
      .addColumn('expires_at', 'bigint', (column) => column.notNull())
      .addColumn('access_hash', 'varchar(43)', (column) => column.notNull())
      .addColumn('access_expires_at', 'bigint', (column) => column.notNull())
      .addColumn('refresh_hash', 'varchar(43)', (column) => column.notNull())
      .addColumn('refresh_generation', 'integer', (column) => column.notNull())
      .addColumn('previous_refresh_hash', 'varchar(43)')
      .addColumn('rotated_at', 'bigint')
      .execute();
    await db.schema.createIndex('sessions_user_uuid_idx').on('sessions').column('user_uuid').execute();
    // The spec's index on updated_at, led by the lifetime class so the idle sweep of each class is a range scan.
    await db.schema
      .createIndex('sessions_remember_updated_at_idx')
      .on('sessions')
      .columns(['remember', 'updated_at'])
      .execute();
    await db.schema.createIndex('sessions_expires_at_idx').on('sessions').column('expires_at').execute();

    await db.schema
      .createTable('revoked_sessions')
      .addColumn('uuid', 'varchar(36)', (column) => column.primaryKey())
      .addColumn('user_uuid', 'varchar(36)', (column) => column.notNull())
      .addColumn('reason', 'varchar(32)', (column) => column.notNull())
      .addColumn('revoked_at', 'bigint', (column) => column.notNull())
      .addColumn('user_agent', 'text')
      .addColumn('api_version', 'varchar(50)', (column) => column.notNull())
      .addColumn('access_hash', 'varchar(43)', (column) => column.notNull())
      .addColumn('refresh_hash', 'varchar(43)', (column) => column.notNull())
      .addColumn('refresh_generation', 'integer', (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('revoked_sessions_revoked_at_idx')
      .on('revoked_sessions')
      .column('revoked_at')
      .execute();
    await db.schema
      .createIndex('revoked_sessions_user_uuid_idx')
      .on('revoked_sessions')
      .column('user_uuid')
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('revoked_sessions').execute();
    await db.schema.dropTable('sessions').execute();
    await db.schema.dropTable('users').execute();
  },
};
