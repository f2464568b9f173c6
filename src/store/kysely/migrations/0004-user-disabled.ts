import type { Kysely, Migration } from 'kysely';

/** Accounts an administrator disabled (`keycard users disable`): when, or null while enabled. */
export const userDisabled: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('users').addColumn('disabled_at', 'bigint').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('users').dropColumn('disabled_at').execute();
  },
};
