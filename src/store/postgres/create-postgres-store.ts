import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { KeycardDatabase } from '../kysely/database.js';
import { createKyselyStore, type KeycardStore } from '../kysely/kysely-store.js';
import { migrateToLatest } from '../kysely/migrate-to-latest.js';
import { isPostgresUnavailable, isPostgresUniqueViolation } from './postgres-errors.js';

export interface PostgresStoreOptions {
  /** `postgres://user@host:port/database` */
  readonly connectionString: string;
  /** Connections in the pool. */
  readonly poolSize?: number;
  /** A schema to live in (created if missing), e.g. to keep test runs apart; default: the server's search_path. */
  readonly schema?: string;
  /** Apply pending migrations before returning (the default). */
  readonly migrate?: boolean;
  /** Told about every statement sent (for counting and metrics); never gets parameter values. */
  readonly onQuery?: (sql: string, durationMs: number) => void;
  /** Told about errors of idle connections (the pool replaces them by itself). */
  readonly onIdleError?: (error: Error) => void;
}

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Times are Unix milliseconds in `bigint` columns; pg returns int8 as a string to be safe beyond 2^53, which
 * milliseconds will not reach for 285,000 years. Parsed per pool, not by changing pg's global parsers.
 */
const defaultTypeParser = pg.types.getTypeParser as (
  oid: number,
  format?: 'text' | 'binary',
) => (value: string) => unknown;
const INT8_OID = 20;
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? Number : defaultTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** The production store: PostgreSQL through a pg pool and Kysely. Recovers by itself when the server returns. */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<KeycardStore> {
  const { connectionString, poolSize = 10, schema, migrate = true } = options;
  if (schema !== undefined && !SCHEMA_PATTERN.test(schema))
    throw new TypeError(`invalid schema name "${schema}"`);
  if (schema !== undefined) {
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      await client.query(`create schema if not exists ${schema}`);
    } finally {
      await client.end();
    }
  }
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    types,
    connectionTimeoutMillis: 5000,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // A connection can die while idle in the pool or while checked out by Kysely; either way pg emits 'error' on
  // it, and an unheard 'error' event would crash the process. The query in flight fails on its own (and becomes
  // store_unavailable); the pool replaces the connection on next use.
  pool.on('error', (error) => options.onIdleError?.(error));
  pool.on('connect', (client) => client.on('error', (error) => options.onIdleError?.(error)));
  const { onQuery } = options;
  const db = new Kysely<KeycardDatabase>({
    dialect: new PostgresDialect({ pool }),
    ...(onQuery === undefined
      ? {}
      : {
          log: (event) => {
            if (event.level === 'query') onQuery(event.query.sql, event.queryDurationMillis);
          },
        }),
  });
  if (migrate) await migrateToLatest(db as Kysely<unknown>, schema === undefined ? {} : { schema });
  return createKyselyStore(db, {
    isUniqueViolation: isPostgresUniqueViolation,
    isUnavailable: isPostgresUnavailable,
    locksRows: true,
  });
}
