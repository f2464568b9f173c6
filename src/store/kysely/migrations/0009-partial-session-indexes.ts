import { type Kysely, type Migration, sql } from 'kysely';

/**
 * The sessions columns a new session leaves empty (`rotated_at`, `group_id`, `elevation_changed_at`) are indexed
 * only where they are set: a sign-in then writes three secondary indexes instead of six, while the change poller's
 * range scans (`rotated_at >= ?`, `elevation_changed_at >= ?`) still use these indexes, since a comparison implies
 * IS NOT NULL for SQLite's and PostgreSQL's planners alike. Measured with `npm run bench -- sign-in`.
 */
const PARTIAL = ['rotated_at', 'group_id', 'elevation_changed_at'] as const;

export const partialSessionIndexes: Migration = {
  async up(db: Kysely<unknown>) {
    for (const column of PARTIAL) {
      await db.schema.dropIndex(`sessions_${column}_idx`).execute();
      await db.schema
        .createIndex(`sessions_${column}_idx`)
        .on('sessions')
        .column(column)
        .where(sql.ref(column), 'is not', null)
        .execute();
    }
  },
  async down(db: Kysely<unknown>) {
    for (const column of PARTIAL) {
      await db.schema.dropIndex(`sessions_${column}_idx`).execute();
      await db.schema.createIndex(`sessions_${column}_idx`).on('sessions').column(column).execute();
    }
  },
};
