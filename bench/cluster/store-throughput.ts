/**
 * Sign-in and refresh throughput and p99 with 50 concurrent clients, PostgreSQL against SQLite in the same run
 * (the server pinned to core 0, this load generator to core 1). Run: npx tsx bench/cluster/store-throughput.ts
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withBenchDatabase } from './bench-database.js';
import { closedLoop, type LoadResult, send } from './closed-loop.js';
import { startKeycardProcess } from './keycard-process.js';

const PASSWORD = 'correct horse battery staple';
const CLIENTS = 50;

export interface StoreThroughput {
  readonly store: string;
  readonly signIn: LoadResult;
  readonly refresh: LoadResult;
}

async function measure(store: string, databaseUrl: string, durationMs: number): Promise<StoreThroughput> {
  const server = await startKeycardProcess(
    {
      KEYCARD_PORT: '0',
      KEYCARD_DATABASE_URL: databaseUrl,
      KEYCARD_DATABASE_POOL_SIZE: '20',
      KEYCARD_SECRET: randomBytes(32).toString('base64url'),
    },
    '0',
  );
  try {
    const emails = Array.from({ length: CLIENTS }, (_, index) => `bench-${index}@example.com`);
    const refreshTokens: string[] = [];
    for (const email of emails) {
      const response = await send(`${server.url}/auth`, 'POST', { email, password: PASSWORD });
      refreshTokens.push(
        (JSON.parse(response.body) as { tokens: { refresh_token: string } }).tokens.refresh_token,
      );
    }
    const signIn = await closedLoop(CLIENTS, durationMs, async (worker) => {
      const response = await send(`${server.url}/auth/sign_in`, 'POST', {
        email: emails[worker],
        password: PASSWORD,
      });
      return response.status === 200;
    });
    const refresh = await closedLoop(CLIENTS, durationMs, async (worker) => {
      const response = await send(`${server.url}/session/refresh`, 'POST', {
        refresh_token: refreshTokens[worker],
      });
      if (response.status !== 200) return false;
      refreshTokens[worker] = (
        JSON.parse(response.body) as { tokens: { refresh_token: string } }
      ).tokens.refresh_token;
      return true;
    });
    return { store, signIn, refresh };
  } finally {
    await server.stop();
  }
}

export async function measureStoreThroughput(durationMs = 8000): Promise<StoreThroughput[]> {
  const folder = mkdtempSync(join(tmpdir(), 'keycard-bench-'));
  try {
    const sqlite = await measure('SQLite', `sqlite:${folder}/keycard.db`, durationMs);
    const postgres = await withBenchDatabase((databaseUrl) => measure('PostgreSQL', databaseUrl, durationMs));
    return [sqlite, postgres];
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

export function formatStoreThroughput(results: readonly StoreThroughput[]): string {
  const [baseline] = results;
  const rows = results.flatMap((result) =>
    (['signIn', 'refresh'] as const).map((operation) => {
      const run = result[operation];
      const ratio = baseline === undefined ? NaN : run.perSecond / baseline[operation].perSecond;
      return `| ${result.store} | ${operation === 'signIn' ? 'sign-in' : 'refresh'} | ${run.perSecond.toFixed(0)} | ${ratio.toFixed(2)} | ${run.p50Ms.toFixed(1)} | ${run.p99Ms.toFixed(1)} | ${run.errors} |`;
    }),
  );
  return [
    `| store | operation | req/s (${CLIENTS} clients) | ratio to SQLite | p50 (ms) | p99 (ms) | errors |`,
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  console.log(formatStoreThroughput(await measureStoreThroughput(Number(process.argv[2] ?? 8000))));
}
