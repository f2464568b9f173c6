/**
 * Revocation propagation across three Keycard processes sharing PostgreSQL and Redis: the time from the
 * sign-out response on node 1 to the first refusal of the same token on nodes 2 and 3 (which had the session
 * cached). Run: npx tsx bench/cluster/revocation-propagation.ts [sessions]
 */
import { randomBytes } from 'node:crypto';
import { BENCH_REDIS_URL, withBenchDatabase } from './bench-database.js';
import { send } from './closed-loop.js';
import { type KeycardProcess, startKeycardProcess } from './keycard-process.js';

export interface PropagationResult {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Milliseconds until `url` refuses `token`, polling back to back; gives up after `limitMs`. */
async function timeUntilRefused(
  url: string,
  token: string,
  startedAt: number,
  limitMs: number,
): Promise<number> {
  for (;;) {
    const { status } = await send(`${url}/me`, 'GET', undefined, token);
    const elapsed = performance.now() - startedAt;
    if (status === 401) return elapsed;
    if (elapsed > limitMs) return Number.POSITIVE_INFINITY;
  }
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

export async function measureRevocationPropagation(sessions = 200): Promise<PropagationResult> {
  return withBenchDatabase(async (databaseUrl, name) => {
    const env = {
      KEYCARD_PORT: '0',
      KEYCARD_DATABASE_URL: databaseUrl,
      KEYCARD_REDIS_URL: BENCH_REDIS_URL,
      KEYCARD_REDIS_PREFIX: `${name}:`,
      KEYCARD_SECRET: randomBytes(32).toString('base64url'),
    };
    const nodes: KeycardProcess[] = [];
    try {
      nodes.push(await startKeycardProcess(env)); // the first node migrates the new database
      nodes.push(...(await Promise.all([startKeycardProcess(env), startKeycardProcess(env)])));
      const [origin = '', ...others] = nodes.map((node) => node.url);
      const samples: number[] = [];
      for (let index = 0; index < sessions; index += 1) {
        const email = `bench-${index}-${randomBytes(4).toString('hex')}@example.com`;
        const signUp = await send(`${origin}/auth`, 'POST', {
          email,
          password: 'correct horse battery staple',
        });
        const token = (JSON.parse(signUp.body) as { tokens: { access_token: string } }).tokens.access_token;
        for (const url of others) await send(`${url}/me`, 'GET', undefined, token); // cached there now
        const signOut = await send(`${origin}/auth/sign_out`, 'POST', undefined, token);
        if (signOut.status !== 204) throw new Error(`sign-out answered ${signOut.status}`);
        const startedAt = performance.now();
        samples.push(
          ...(await Promise.all(others.map((url) => timeUntilRefused(url, token, startedAt, 5000)))),
        );
      }
      samples.sort((a, b) => a - b);
      return {
        samples: samples.length,
        p50Ms: percentile(samples, 0.5),
        p99Ms: percentile(samples, 0.99),
        maxMs: samples.at(-1) ?? Number.NaN,
      };
    } finally {
      await Promise.all(nodes.map((node) => node.stop()));
    }
  });
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const sessions = Number(process.argv[2] ?? 200);
  const result = await measureRevocationPropagation(sessions);
  console.log('| nodes | samples | p50 (ms) | p99 (ms) | max (ms) | target p99 |');
  console.log('|---|---|---|---|---|---|');
  console.log(
    `| 3 (PostgreSQL + Redis) | ${result.samples} | ${result.p50Ms.toFixed(2)} | ${result.p99Ms.toFixed(2)} | ${result.maxMs.toFixed(2)} | < 50 |`,
  );
}
