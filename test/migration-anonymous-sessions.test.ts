import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { keycardMigrations } from '../src/store/kysely/migrate-to-latest.js';
import {
  dropSchema,
  runAdminStatement,
  TEST_POSTGRES_URL,
  testStoreKind,
  uniqueSchemaName,
} from './support/test-store.js';

/**
 * Migration 0010 on a database that already holds users' sessions and tombstones (as migration 0009 left it):
 * they survive, anonymous rows become possible, the check keeps every row either a user's or anonymous, the
 * indexes and the foreign key are back, and going down returns to the old shape. SQL stores only.
 */
const kind = testStoreKind();
const BEFORE = '0009-partial-session-indexes';

interface Opened {
  db: Kysely<unknown>;
  migrator: Migrator;
  indexesOf(table: string): Promise<string[]>;
  close(): Promise<void>;
}

async function open(): Promise<Opened> {
  if (kind === 'sqlite') {
    const database = new Database(':memory:');
    database.pragma('foreign_keys = ON');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
    return {
      db,
      migrator: new Migrator({ db, provider: { getMigrations: () => Promise.resolve(keycardMigrations) } }),
      async indexesOf(table) {
        const rows = await sql<{
          name: string;
        }>`select name from sqlite_master where type = 'index' and tbl_name = ${table} and sql is not null`.execute(
          db,
        );
        return rows.rows.map((row) => row.name).sort();
      },
      close: () => db.destroy(),
    };
  }
  const schema = uniqueSchemaName();
  await runAdminStatement(`create schema ${schema}`);
  const pool = new pg.Pool({
    connectionString: TEST_POSTGRES_URL,
    max: 2,
    options: `-c search_path=${schema}`,
    // Integers (bigint times, integer columns) as numbers, as the store reads them; the rest as text.
    types: {
      getTypeParser: ((oid: number) =>
        [20, 23].includes(oid) ? Number : String) as pg.CustomTypesConfig['getTypeParser'],
    },
  });
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    migrator: new Migrator({
      db,
      provider: { getMigrations: () => Promise.resolve(keycardMigrations) },
      migrationTableSchema: schema,
    }),
    async indexesOf(table) {
      const rows = await sql<{
        name: string;
      }>`select indexname as name from pg_indexes where schemaname = ${schema} and tablename = ${table} and indexname not like '%_pkey'`.execute(
        db,
      );
      return rows.rows.map((row) => row.name).sort();
    },
    async close() {
      await db.destroy();
      await dropSchema(schema);
    },
  };
}

const USER = '11111111-1111-4111-8111-111111111111';
const OTHER_USER = '22222222-2222-4222-8222-222222222222';
const ANONYMOUS_ID = '33333333-3333-4333-8333-333333333333';
const SESSION_INDEXES = [
  'sessions_elevation_changed_at_idx',
  'sessions_expires_at_idx',
  'sessions_group_id_idx',
  'sessions_remember_updated_at_idx',
  'sessions_rotated_at_idx',
  'sessions_user_uuid_idx',
];

function sessionRow(uuid: string, fields: Record<string, unknown>) {
  return {
    uuid,
    version: '20200115',
    user_uuid: USER,
    user_agent: 'agent',
    created_at: 1,
    updated_at: 2,
    remember: 1,
    expires_at: 3,
    access_hash: 'a'.repeat(43),
    access_expires_at: 4,
    refresh_hash: 'r'.repeat(43),
    refresh_generation: 5,
    previous_refresh_hash: null,
    rotated_at: 6,
    group_id: 'fleet',
    elevated_until: 7,
    elevation_changed_at: 8,
    ...fields,
  };
}

describe.skipIf(kind === 'memory')('migration 0010 (anonymous sessions)', () => {
  let opened: Opened | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  it('keeps every session and tombstone, then takes anonymous sessions and refuses rows that are neither kind', async () => {
    opened = await open();
    const { db, migrator } = opened;
    expect((await migrator.migrateTo(BEFORE)).error).toBeUndefined();
    for (const uuid of [USER, OTHER_USER]) {
      await db
        .insertInto('users' as never)
        .values({
          uuid,
          email: `${uuid}@example.com`,
          password_hash: 'h',
          version: '004',
          created_at: 1,
          updated_at: 1,
        })
        .execute();
    }
    const before = [
      sessionRow('aaaaaaaa-0000-4000-8000-000000000001', {}),
      sessionRow('aaaaaaaa-0000-4000-8000-000000000002', {
        remember: 0,
        user_uuid: OTHER_USER,
        group_id: null,
      }),
    ];
    await db
      .insertInto('sessions' as never)
      .values(before)
      .execute();
    const tombstone = {
      uuid: 'bbbbbbbb-0000-4000-8000-000000000001',
      user_uuid: USER,
      reason: 'sign_out',
      revoked_at: 9,
      user_agent: null,
      api_version: '20200115',
      access_hash: 'a'.repeat(43),
      refresh_hash: 'r'.repeat(43),
      refresh_generation: 0,
    };
    await db
      .insertInto('revoked_sessions' as never)
      .values(tombstone)
      .execute();

    const { error, results } = await migrator.migrateToLatest();
    expect(error).toBeUndefined();
    expect(results?.map((result) => result.migrationName)).toContain('0010-anonymous-sessions');

    const sessions = await sql<Record<string, unknown>>`select * from sessions order by uuid`.execute(db);
    expect(sessions.rows).toEqual(before.map((row) => ({ ...row, anonymous_id: null })));
    const tombstones = await sql<Record<string, unknown>>`select * from revoked_sessions`.execute(db);
    expect(tombstones.rows).toEqual([tombstone]);
    expect(await opened.indexesOf('sessions')).toEqual(SESSION_INDEXES);
    expect(await opened.indexesOf('revoked_sessions')).toEqual([
      'revoked_sessions_revoked_at_idx',
      'revoked_sessions_user_uuid_idx',
    ]);

    // An anonymous session (class 2, with its id) and its tombstone.
    const anonymous = sessionRow('aaaaaaaa-0000-4000-8000-000000000003', {
      user_uuid: null,
      remember: 2,
      anonymous_id: ANONYMOUS_ID,
      group_id: null,
    });
    await db
      .insertInto('sessions' as never)
      .values(anonymous)
      .execute();
    await db
      .insertInto('revoked_sessions' as never)
      .values({ ...tombstone, uuid: 'bbbbbbbb-0000-4000-8000-000000000002', user_uuid: null })
      .execute();
    // Neither a user's nor an anonymous session: refused by the check.
    for (const fields of [
      { user_uuid: null, remember: 1, anonymous_id: ANONYMOUS_ID }, // no user, a user's class
      { user_uuid: null, remember: 2, anonymous_id: null }, // anonymous, without its id
      { user_uuid: USER, remember: 2, anonymous_id: ANONYMOUS_ID }, // a user's, in the anonymous class
    ]) {
      await expect(
        db
          .insertInto('sessions' as never)
          .values(sessionRow('aaaaaaaa-0000-4000-8000-0000000000ff', fields) as never)
          .execute(),
      ).rejects.toThrow();
    }
    // The foreign key is there: no session of an unknown user, and a deleted user's sessions go with it.
    await expect(
      db
        .insertInto('sessions' as never)
        .values(
          sessionRow('aaaaaaaa-0000-4000-8000-0000000000fe', {
            user_uuid: '99999999-9999-4999-8999-999999999999',
          }) as never,
        )
        .execute(),
    ).rejects.toThrow();
    await sql`delete from users where uuid = ${OTHER_USER}`.execute(db);
    const left = await sql<{ uuid: string }>`select uuid from sessions order by uuid`.execute(db);
    expect(left.rows.map((row) => row.uuid)).toEqual([before[0]?.uuid, anonymous.uuid]);
  });

  it('goes down to the old shape, without the anonymous sessions', async () => {
    opened = await open();
    const { db, migrator } = opened;
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    await db
      .insertInto('users' as never)
      .values({
        uuid: USER,
        email: 'u@example.com',
        password_hash: 'h',
        version: '004',
        created_at: 1,
        updated_at: 1,
      })
      .execute();
    await db
      .insertInto('sessions' as never)
      .values([
        sessionRow('aaaaaaaa-0000-4000-8000-000000000001', {}),
        sessionRow('aaaaaaaa-0000-4000-8000-000000000002', {
          user_uuid: null,
          remember: 2,
          anonymous_id: ANONYMOUS_ID,
        }),
      ] as never)
      .execute();

    expect((await migrator.migrateTo(BEFORE)).error).toBeUndefined();
    const left = await sql<{ uuid: string }>`select uuid from sessions`.execute(db);
    expect(left.rows.map((row) => row.uuid)).toEqual(['aaaaaaaa-0000-4000-8000-000000000001']);
    expect(await opened.indexesOf('sessions')).toEqual(SESSION_INDEXES);
    const withoutUser = sessionRow('aaaaaaaa-0000-4000-8000-000000000003', { user_uuid: null });
    await expect(
      db
        .insertInto('sessions' as never)
        .values(withoutUser as never)
        .execute(),
    ).rejects.toThrow();
    // And up again.
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
  });
});
