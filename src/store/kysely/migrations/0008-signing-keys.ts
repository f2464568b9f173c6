import type { Kysely, Migration } from 'kysely';

/**
 * JWT signing keys, shared by every node: the private half (or HS256 secret) sealed with AES-256-GCM under a key
 * derived from `KEYCARD_SECRET`. A key signs until `retired_at`, and verifies for a grace after it.
 */
export const signingKeys: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('signing_keys')
      .addColumn('kid', 'varchar(64)', (column) => column.primaryKey())
      .addColumn('alg', 'varchar(16)', (column) => column.notNull())
      .addColumn('sealed_private_key', 'text', (column) => column.notNull())
      .addColumn('created_at', 'bigint', (column) => column.notNull())
      .addColumn('retired_at', 'bigint')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('signing_keys').execute();
  },
};
