import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../src/store/postgres/create-postgres-store.js';
import { createSqliteStore } from '../src/store/sqlite/create-sqlite-store.js';
import { dropSchema, TEST_POSTGRES_URL, testStoreKind, uniqueSchemaName } from './support/test-store.js';

const kind = testStoreKind();

// The change poller's range scans on columns a new session leaves empty: their indexes are partial (migration
// 0009, so a sign-in does not write them), and must still be the ones these scans use.
const SCANS = {
  sessions_rotated_at_idx: 'select uuid from sessions where rotated_at >= 1000 limit 100',
  sessions_elevation_changed_at_idx: 'select uuid from sessions where elevation_changed_at >= 1000 limit 100',
  sessions_group_id_idx: "select uuid from sessions where group_id = 'fleet'",
};

describe.skipIf(kind !== 'sqlite')('session indexes on SQLite', () => {
  const folder = mkdtempSync(join(tmpdir(), 'keycard-plans-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('are partial for the columns a new session leaves empty, and the range scans use them', async () => {
    const filename = join(folder, 'keycard.db');
    await (await createSqliteStore({ filename })).close();
    const database = new Database(filename, { readonly: true });
    try {
      const definitions = database
        .prepare("select name, sql from sqlite_master where type = 'index' and tbl_name = 'sessions'")
        .all() as { name: string; sql: string | null }[];
      for (const index of Object.keys(SCANS)) {
        expect(definitions.find((row) => row.name === index)?.sql).toMatch(/where .* is not null$/i);
      }
      for (const [index, query] of Object.entries(SCANS)) {
        const plan = database.prepare(`explain query plan ${query}`).all() as { detail: string }[];
        expect(plan.map((row) => row.detail).join('; ')).toContain(`USING INDEX ${index}`);
      }
    } finally {
      database.close();
    }
  });
});

describe.skipIf(kind !== 'postgres')('session indexes on PostgreSQL', () => {
  it('are partial for the columns a new session leaves empty, and the range scans use them', async () => {
    const schema = uniqueSchemaName();
    await (await createPostgresStore({ connectionString: TEST_POSTGRES_URL, schema })).close();
    const client = new pg.Client({
      connectionString: TEST_POSTGRES_URL,
      options: `-c search_path=${schema}`,
    });
    await client.connect();
    try {
      const { rows } = await client.query<{ indexname: string; indexdef: string }>(
        'select indexname, indexdef from pg_indexes where schemaname = $1',
        [schema],
      );
      for (const index of Object.keys(SCANS)) {
        expect(rows.find((row) => row.indexname === index)?.indexdef).toMatch(/WHERE \(.* IS NOT NULL\)$/);
      }
      // An empty table would be scanned sequentially whatever the indexes: ask whether the planner can use them.
      await client.query('set enable_seqscan = off');
      for (const [index, query] of Object.entries(SCANS)) {
        const plan = await client.query<{ 'QUERY PLAN': string }>(`explain ${query}`);
        expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toContain(index);
      }
    } finally {
      await client.end();
      await dropSchema(schema);
    }
  });
});
