import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { KeycardDatabase } from '../kysely/database.js';
import { createKyselyStore, type KeycardStore } from '../kysely/kysely-store.js';
import { migrateToLatest } from '../kysely/migrate-to-latest.js';
import { withStatementCache } from './statement-cache.js';

export interface SqliteStoreOptions {
  /** A file path, or `:memory:`. */
  readonly filename: string;
  /** Apply pending migrations before returning (the default). */
  readonly migrate?: boolean;
}

/** The embedded default: SQLite in one file, in WAL mode, through Kysely. */
export async function createSqliteStore({
  filename,
  migrate = true,
}: SqliteStoreOptions): Promise<KeycardStore> {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  const database = new Database(filename);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<KeycardDatabase>({
    dialect: new SqliteDialect({ database: withStatementCache(database) }),
  });
  if (migrate) await migrateToLatest(db as Kysely<unknown>);
  return createKyselyStore(db, {
    isUniqueViolation: (error) =>
      sqliteCode(error) === 'SQLITE_CONSTRAINT_UNIQUE' ||
      sqliteCode(error) === 'SQLITE_CONSTRAINT_PRIMARYKEY',
    isUnavailable: (error) =>
      ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_CANTOPEN', 'SQLITE_IOERR'].some(
        (code) => sqliteCode(error)?.startsWith(code) === true,
      ),
  });
}

function sqliteCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}
