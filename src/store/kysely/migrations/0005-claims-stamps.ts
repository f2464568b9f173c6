import type { Kysely, Migration } from 'kysely';

/**
 * Claims stamps ("claims valid after", per user, per group and global) and what sessions gain with them: the
 * group a session belongs to and its step-up elevation (until when, and when that last changed, for the poll).
 */
export const claimsStamps: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('claims_stamps')
      .addColumn('scope', 'varchar(16)', (column) => column.notNull())
      .addColumn('subject', 'varchar(255)', (column) => column.notNull())
      .addColumn('valid_after', 'bigint', (column) => column.notNull())
      .addPrimaryKeyConstraint('claims_stamps_pk', ['scope', 'subject'])
      .execute();
    await db.schema
      .createIndex('claims_stamps_valid_after_idx')
      .on('claims_stamps')
      .column('valid_after')
      .execute();
    await db.schema.alterTable('sessions').addColumn('group_id', 'varchar(64)').execute();
    await db.schema.alterTable('sessions').addColumn('elevated_until', 'bigint').execute();
    await db.schema.alterTable('sessions').addColumn('elevation_changed_at', 'bigint').execute();
    await db.schema.createIndex('sessions_group_id_idx').on('sessions').column('group_id').execute();
    await db.schema
      .createIndex('sessions_elevation_changed_at_idx')
      .on('sessions')
      .column('elevation_changed_at')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('sessions_elevation_changed_at_idx').execute();
    await db.schema.dropIndex('sessions_group_id_idx').execute();
    await db.schema.alterTable('sessions').dropColumn('elevation_changed_at').execute();
    await db.schema.alterTable('sessions').dropColumn('elevated_until').execute();
    await db.schema.alterTable('sessions').dropColumn('group_id').execute();
    await db.schema.dropTable('claims_stamps').execute();
  },
};
