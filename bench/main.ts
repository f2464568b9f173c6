/**
 * npm run bench [-- <name> ...]: runs the named benchmarks (by default me, sign-in and sweep) and prints a
 * markdown table for each, every figure next to a baseline measured in the same run. Servers are pinned to
 * core 0 and load generators (wrk, and this process) to core 1 with taskset; the machine is noisy, so compared
 * runs alternate and medians are reported with their spread. Every load is bounded in time, and every server
 * this starts is stopped on the way out, whatever happened.
 */
import { execFileSync } from 'node:child_process';
import { BENCH_REDIS_URL, withBenchDatabase } from './cluster/bench-database.js';
import { measureRevocationPropagation } from './cluster/revocation-propagation.js';
import { formatStoreThroughput, measureStoreThroughput } from './cluster/store-throughput.js';
import { stopAllBenchProcesses } from './core/bench-process.js';
import { formatMeThroughput, measureMeThroughput, type MeThroughput } from './core/me-throughput.js';
import { formatSignInStorm, measureSignInStorm } from './core/sign-in-storm.js';
import { formatSweep, measureSweep } from './core/sweep-scaling.js';
import { measureLedger } from './ledger/ledger-bench.js';
import { measureVerify } from './verify/verify-bench.js';
import { formatVerifyFeed, measureVerifyFeed } from './verify/verify-feed-bench.js';

interface Benchmark {
  readonly title: string;
  /** Run by `npm run bench` without names. */
  readonly byDefault: boolean;
  run(): Promise<string>;
}

/** PostgreSQL and Redis are optional: without them, the rows that need them are left out, and said so. */
async function postgresAndRedisMissing(): Promise<string | undefined> {
  try {
    execFileSync('redis-cli', ['-u', BENCH_REDIS_URL, 'ping'], { stdio: 'ignore', timeout: 5000 });
  } catch {
    return `Redis does not answer at ${BENCH_REDIS_URL} (KEYCARD_BENCH_REDIS_URL)`;
  }
  try {
    await withBenchDatabase(() => Promise.resolve());
  } catch (error) {
    return `PostgreSQL: ${error instanceof Error ? error.message : String(error)} (KEYCARD_BENCH_POSTGRES_URL)`;
  }
  return undefined;
}

/** A Keycard configuration `me` measures against the bare route, and the ratio it must reach. */
interface MePairing {
  readonly label: string;
  readonly env: Record<string, string>;
  readonly target: number;
  /** Needs PostgreSQL and Redis: the environment is completed with a fresh database and a Redis prefix. */
  readonly postgresAndRedis?: boolean;
}

/** JWT access tokens (issue 4): verified with the signing key on every request, then the session's state. */
function jwtPairing(alg: 'EdDSA' | 'HS256'): MePairing {
  return {
    label: `SQLite, JWT ${alg}`,
    env: { KEYCARD_ACCESS_TOKEN_FORMAT: 'jwt', KEYCARD_JWT_ALG: alg },
    target: 0.75,
  };
}

const SQLITE_PAIRING: MePairing = { label: 'SQLite', env: {}, target: 0.8 };
const POSTGRES_PAIRING: MePairing = {
  label: 'PostgreSQL + Redis',
  env: {},
  target: 0.75,
  postgresAndRedis: true,
};
const JWT_PAIRINGS: readonly MePairing[] = [jwtPairing('EdDSA'), jwtPairing('HS256')];

async function measureMe(pairings: readonly MePairing[]): Promise<string> {
  const results: MeThroughput[] = [];
  const missing = pairings.some((pairing) => pairing.postgresAndRedis === true)
    ? await postgresAndRedisMissing()
    : undefined;
  for (const pairing of pairings) {
    if (pairing.postgresAndRedis !== true) {
      results.push(await measureMeThroughput(pairing));
    } else if (missing === undefined) {
      results.push(
        await withBenchDatabase((databaseUrl, name) =>
          measureMeThroughput({
            ...pairing,
            env: {
              ...pairing.env,
              KEYCARD_DATABASE_URL: databaseUrl,
              KEYCARD_REDIS_URL: BENCH_REDIS_URL,
              KEYCARD_REDIS_PREFIX: `${name}:`,
            },
          }),
        ),
      );
    }
  }
  const note = missing === undefined ? [] : [`\n(PostgreSQL + Redis pairing left out: ${missing}.)`];
  return [formatMeThroughput(results), ...note].join('\n');
}

const benchmarks: Record<string, Benchmark> = {
  me: {
    title: 'Authenticated GET /me against a bare Fastify route with a body of the same size',
    byDefault: true,
    run: () => measureMe([SQLITE_PAIRING, ...JWT_PAIRINGS, POSTGRES_PAIRING]),
  },
  'me-jwt': {
    title: 'Authenticated GET /me with JWT access tokens against a bare Fastify route (the JWT rows of `me`)',
    byDefault: false,
    run: () => measureMe(JWT_PAIRINGS),
  },
  'sign-in': {
    title: 'Sign-in against raw argon2id verification, and GET /health during the sign-in storm',
    byDefault: true,
    run: async () => formatSignInStorm(await measureSignInStorm()),
  },
  sweep: {
    title: 'Expiry sweep at 100k and 1M sessions (SQLite file)',
    byDefault: true,
    run: async () => formatSweep(await measureSweep()),
  },
  ledger: {
    title: 'Ledger memory and sweep figures (session ledger against the Map of objects it replaced)',
    byDefault: false,
    run: measureLedger,
  },
  stores: {
    title: 'Sign-in and refresh with 50 concurrent clients: PostgreSQL against SQLite',
    byDefault: false,
    run: async () => formatStoreThroughput(await measureStoreThroughput()),
  },
  verify: {
    title:
      'JWT verification: verify() and verifyJwt against raw node:crypto on the same token (jose for comparison)',
    byDefault: false,
    run: measureVerify,
  },
  'verify-feed': {
    title: 'Revocation reaching a keycard/verify verifier in another process through the feed',
    byDefault: false,
    async run() {
      const missing = await postgresAndRedisMissing();
      const revocations = 200;
      if (missing !== undefined) {
        const rows = await measureVerifyFeed({ revocations });
        return `${formatVerifyFeed(rows)}\n\n(PostgreSQL + Redis rows left out: ${missing}.)`;
      }
      return withBenchDatabase(async (databaseUrl, name) =>
        formatVerifyFeed(
          await measureVerifyFeed({
            revocations,
            postgres: { databaseUrl, redisUrl: BENCH_REDIS_URL, redisPrefix: `${name}:` },
          }),
        ),
      );
    },
  },
  propagation: {
    title: 'Revocation propagation across three nodes (PostgreSQL + Redis)',
    byDefault: false,
    async run() {
      const result = await measureRevocationPropagation(200);
      return [
        '| nodes | samples | p50 ms | p99 ms (target < 50) | max ms |',
        '|---|---|---|---|---|',
        `| 3 | ${result.samples} | ${result.p50Ms.toFixed(2)} | **${result.p99Ms.toFixed(2)}** | ${result.maxMs.toFixed(2)} |`,
      ].join('\n');
    },
  },
};

async function main(requested: readonly string[]): Promise<void> {
  const unknown = requested.filter((name) => !(name in benchmarks));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark: ${unknown.join(', ')}. Known: ${Object.keys(benchmarks).join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const names =
    requested.length > 0 ? requested : Object.keys(benchmarks).filter((name) => benchmarks[name]?.byDefault);
  // This process is a load generator too (it seeds accounts and probes /health): it belongs on core 1.
  execFileSync('taskset', ['-a', '-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const started = performance.now();
  for (const name of names) {
    const benchmark = benchmarks[name];
    if (benchmark === undefined) continue;
    const benchmarkStarted = performance.now();
    console.log(`\n### ${benchmark.title}\n\n\`npm run bench -- ${name}\`\n`);
    console.log(await benchmark.run());
    console.log(`\n(${((performance.now() - benchmarkStarted) / 1000).toFixed(0)} s)`);
  }
  console.log(`\nAll done in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stopAllBenchProcesses().finally(() => process.exit(130));
  });
}
try {
  await main(process.argv.slice(2).filter((name) => name !== '--'));
} finally {
  await stopAllBenchProcesses();
}
