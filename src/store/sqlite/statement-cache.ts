import type { Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Statements kept by default: Keycard issues a few dozen distinct ones; `IN (?, ?, …)` lists add some. */
export const DEFAULT_STATEMENT_CACHE_SIZE = 256;

/**
 * The database as Kysely's SQLite dialect sees it, with compiled statements kept by their SQL (least recently
 * used first out). Kysely's driver prepares every query anew; on a sign-in, preparing its three statements cost
 * more than a third of their SQL time (about 0.3 ms of the 0.9 ms, measured with a timing wrapper around
 * better-sqlite3 under `npm run bench -- sign-in`). A statement is only ever run by one query at a time: Kysely's
 * SQLite driver has a single connection behind a mutex, and Keycard never streams rows.
 */
export function withStatementCache(
  database: Database,
  capacity = DEFAULT_STATEMENT_CACHE_SIZE,
): SqliteDatabase {
  const statements = new Map<string, Statement>();
  return {
    close: () => database.close(),
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        if (statements.size >= capacity) {
          const oldest = statements.keys().next();
          if (oldest.done !== true) statements.delete(oldest.value);
        }
      } else {
        statements.delete(sql); // moved to the back: most recently used
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}
