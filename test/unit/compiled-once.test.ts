import Database from 'better-sqlite3';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteDialect,
} from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { compiledOnce } from '../../src/store/kysely/compiled-once.js';

interface Db {
  people: { id: string; name: string; age: number; gone: number | null };
}

/** A Kysely for PostgreSQL that only compiles (no connection): the SQL it writes is all these tests read. */
function postgresCompiler(): Kysely<Db> {
  return new Kysely<Db>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}

describe('compiledOnce', () => {
  const opened: Kysely<Db>[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.destroy()));
  });

  async function sqlite(): Promise<Kysely<Db>> {
    const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    opened.push(db);
    await db.schema
      .createTable('people')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('age', 'integer', (column) => column.notNull())
      .addColumn('gone', 'integer')
      .execute();
    return db;
  }

  it('writes the SQL Kysely writes for the same query, and binds each call’s values by name', () => {
    const db = postgresCompiler();
    const byNameAndAge = compiledOnce<{ name: string; age: number }, unknown>((parameter) =>
      db
        .selectFrom('people')
        .select('id')
        .where('name', '=', parameter('name'))
        .where('age', '>', parameter('age'))
        .where('gone', 'is', null)
        .where('id', '<>', 'fixed')
        .where('name', '<>', parameter('name')),
    );
    const direct = db
      .selectFrom('people')
      .select('id')
      .where('name', '=', 'ada')
      .where('age', '>', 36)
      .where('gone', 'is', null)
      .where('id', '<>', 'fixed')
      .where('name', '<>', 'ada')
      .compile();
    const bound = byNameAndAge({ name: 'ada', age: 36 });
    expect(bound.sql).toBe(direct.sql);
    expect(bound.sql).toContain('$4');
    // A value that is part of the query (not a parameter) stays; a name used twice is bound twice.
    expect(bound.parameters).toEqual(['ada', 36, 'fixed', 'ada']);
    expect(byNameAndAge({ name: 'bob', age: 7 }).parameters).toEqual(['bob', 7, 'fixed', 'bob']);
  });

  it('builds the query once, whatever the calls', () => {
    const db = postgresCompiler();
    let builds = 0;
    const byId = compiledOnce<{ id: string }, unknown>((parameter) => {
      builds += 1;
      return db.selectFrom('people').selectAll().where('id', '=', parameter('id'));
    });
    for (const id of ['a', 'b', 'c']) expect(byId({ id }).parameters).toEqual([id]);
    expect(builds).toBe(1);
  });

  it('gives each call a query id of its own', () => {
    const db = postgresCompiler();
    const byId = compiledOnce<{ id: string }, unknown>((parameter) =>
      db.selectFrom('people').selectAll().where('id', '=', parameter('id')),
    );
    expect(byId({ id: 'a' }).queryId.queryId).not.toBe(byId({ id: 'a' }).queryId.queryId);
  });

  it('runs on the database and in a transaction, with values cast inside an INSERT … SELECT', async () => {
    const db = await sqlite();
    const insertPerson = compiledOnce<{ id: string; name: string; age: number }, unknown>((parameter) =>
      db
        .insertInto('people')
        .columns(['id', 'name', 'age'])
        .expression(
          db
            .selectNoFrom((eb) => [
              eb.cast(eb.val(parameter('id')), 'text').as('id'),
              eb.cast(eb.val(parameter('name')), 'text').as('name'),
              eb.cast(eb.val(parameter('age')), 'integer').as('age'),
            ])
            .where((eb) => eb(eb.val(parameter('age')), '>=', 0)),
        ),
    );
    const byName = compiledOnce<{ name: string }, Db['people']>((parameter) =>
      db.selectFrom('people').selectAll().where('name', '=', parameter('name')),
    );
    const inserted = await db.executeQuery(insertPerson({ id: '1', name: 'ada', age: 36 }));
    expect(inserted.numAffectedRows).toBe(1n);
    // The WHERE refuses a negative age: nothing inserted.
    const refused = await db.executeQuery(insertPerson({ id: '2', name: 'bob', age: -1 }));
    expect(refused.numAffectedRows).toBe(0n);
    await db.transaction().execute(async (trx) => {
      await trx.executeQuery(insertPerson({ id: '3', name: 'cy', age: 5 }));
    });
    expect((await db.executeQuery(byName({ name: 'ada' }))).rows).toEqual([
      { id: '1', name: 'ada', age: 36, gone: null },
    ]);
    expect((await db.executeQuery(byName({ name: 'cy' }))).rows).toEqual([
      { id: '3', name: 'cy', age: 5, gone: null },
    ]);
    expect((await db.executeQuery(byName({ name: 'bob' }))).rows).toEqual([]);
  });
});
