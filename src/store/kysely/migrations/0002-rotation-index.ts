import type { Kysely, Migration } from 'kysely';

/** Lets each node poll for sessions rotated since its last look (the change poller's safety net). */
export const rotationIndex: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('sessions_rotated_at_idx').on('sessions').column('rotated_at').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('sessions_rotated_at_idx').execute();
  },
};
