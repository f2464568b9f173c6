import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const BENCH_POSTGRES_URL =
  process.env.KEYCARD_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const BENCH_REDIS_URL = process.env.KEYCARD_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: BENCH_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Runs `use` with the URL of a fresh PostgreSQL database (and a name for Redis prefixes), then drops it. */
export async function withBenchDatabase<T>(
  use: (databaseUrl: string, name: string) => Promise<T>,
): Promise<T> {
  const name = `keycard_bench_${randomBytes(6).toString('hex')}`;
  await admin(`create database ${name}`);
  try {
    const url = new URL(BENCH_POSTGRES_URL);
    url.pathname = `/${name}`;
    return await use(url.toString(), name);
  } finally {
    await admin(`drop database if exists ${name}`);
  }
}
