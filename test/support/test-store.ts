import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { KeycardStore } from '../../src/store/kysely/kysely-store.js';
import { createMemoryStore } from '../../src/store/memory/create-memory-store.js';
import { createPostgresStore } from '../../src/store/postgres/create-postgres-store.js';
import { createSqliteStore } from '../../src/store/sqlite/create-sqlite-store.js';

/** Which store this test run uses: one Vitest project per store (see vitest.config.ts). */
export type TestStoreKind = 'memory' | 'sqlite' | 'postgres';

export const TEST_POSTGRES_URL =
  process.env.KEYCARD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function testStoreKind(): TestStoreKind {
  const kind = process.env.KEYCARD_TEST_STORE ?? 'sqlite';
  if (kind !== 'memory' && kind !== 'sqlite' && kind !== 'postgres') {
    throw new TypeError(`KEYCARD_TEST_STORE=${kind} is not a store`);
  }
  return kind;
}

/** A schema name no other test run uses. */
export function uniqueSchemaName(): string {
  return `keycard_test_${randomBytes(6).toString('hex')}`;
}

/** Runs one statement as the test database's owner (creating and dropping schemas and databases). */
export async function runAdminStatement(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export function dropSchema(schema: string): Promise<void> {
  return runAdminStatement(`drop schema if exists ${schema} cascade`);
}

/**
 * A fresh, empty store of the kind under test. PostgreSQL stores each get a schema of their own, dropped on
 * close, so tests and parallel runs never see each other's rows.
 */
export async function createTestStore(kind: TestStoreKind = testStoreKind()): Promise<KeycardStore> {
  if (kind === 'memory') return createMemoryStore();
  if (kind === 'sqlite') return createSqliteStore({ filename: ':memory:' });
  const schema = uniqueSchemaName();
  const store = await createPostgresStore({ connectionString: TEST_POSTGRES_URL, schema, poolSize: 4 });
  return {
    ...store,
    async close() {
      await store.close();
      await dropSchema(schema);
    },
  };
}
