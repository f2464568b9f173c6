import type { Kysely, Migration } from 'kysely';

/**
 * The audit log: what happened to whose sessions, from where. No foreign keys: a row outlives the session it
 * names, and is written off the request path where a failed constraint could only lose it.
 */
export const sessionEvents: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('session_events')
      .addColumn('uuid', 'varchar(36)', (column) => column.primaryKey())
      .addColumn('type', 'varchar(32)', (column) => column.notNull())
      // Null for a failed sign-in with an email no account has.
      .addColumn('user_uuid', 'varchar(36)')
      .addColumn('session_uuid', 'varchar(36)')
      .addColumn('reason', 'varchar(32)')
      .addColumn('ip', 'varchar(64)')
      .addColumn('user_agent', 'text')
      .addColumn('occurred_at', 'bigint', (column) => column.notNull())
      .execute();
    // A user's history, newest first, paged by (occurred_at, uuid): one range scan per page.
    await db.schema
      .createIndex('session_events_user_uuid_occurred_at_idx')
      .on('session_events')
      .columns(['user_uuid', 'occurred_at', 'uuid'])
      .execute();
    // Retention pruning deletes the oldest rows first.
    await db.schema
      .createIndex('session_events_occurred_at_idx')
      .on('session_events')
      .column('occurred_at')
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('session_events').execute();
  },
};
