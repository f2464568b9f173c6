import { resolve } from 'node:path';
import type { KeycardStore } from './kysely/kysely-store.js';
import { createPostgresStore } from './postgres/create-postgres-store.js';
import { createSqliteStore } from './sqlite/create-sqlite-store.js';

export interface OpenStoreOptions {
  readonly migrate?: boolean;
  readonly poolSize?: number;
  readonly onIdleError?: (error: Error) => void;
}

/** Where a store keeps its data, for humans (no password): the startup line says it. */
export function describeDatabaseUrl(databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    return path === ':memory:' ? 'SQLite in memory (nothing is kept)' : `SQLite at ${resolve(path)}`;
  }
  const url = new URL(databaseUrl);
  return `PostgreSQL at ${url.host}${url.pathname}`;
}

/** Opens the store a `KEYCARD_DATABASE_URL` names. */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<KeycardStore> {
  const { migrate = true } = options;
  if (databaseUrl.startsWith('sqlite:')) {
    return createSqliteStore({ filename: databaseUrl.slice('sqlite:'.length), migrate });
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    return createPostgresStore({
      connectionString: databaseUrl,
      migrate,
      ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
      ...(options.onIdleError === undefined ? {} : { onIdleError: options.onIdleError }),
    });
  }
  throw new TypeError('unsupported KEYCARD_DATABASE_URL scheme');
}
