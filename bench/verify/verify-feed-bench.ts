/**
 * Revocation reaching a verifier in another process through the feed: a Keycard server (JWT access tokens,
 * pinned to core 0) and a service using `keycard/verify` (feed-verifier-service.ts, on core 1 with this
 * process). For each of `revocations` sessions: the service accepts its token, this process signs it out
 * (`POST /auth/sign_out`), and the service tells when it first refused the token. The baseline, in the same run,
 * is the revoke call's own HTTP round trip.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { send } from '../cluster/closed-loop.js';
import { type BenchProcess, startBenchProcess } from '../core/bench-process.js';
import { tamperedToken } from '../core/me-throughput.js';
import { seedSessions } from '../core/seed-accounts.js';
import { median, percentile } from '../core/stats.js';
import type { WatchAnswer, WatchRequest } from './feed-verifier-service.js';

const ISSUER = 'http://keycard.bench';
const AUDIENCE = 'bench-service';
const SESSIONS_PER_USER = 10;
/** The whole measurement of one row stops after this, whatever is left. */
const ROW_LIMIT_MS = 60_000;

export interface FeedRow {
  /** The Keycard's store, and the feed the verifier follows. */
  readonly label: string;
  /** Revoke call round trips (ms), the baseline. */
  readonly roundTripsMs: number[];
  /** From sending the revoke call to the verifier's first refusal (ms). */
  readonly refusedMs: number[];
  /** From the revoke call's response to the verifier's first refusal (ms; negative when the refusal came first). */
  readonly afterResponseMs: number[];
  /** Refusals with a code other than `token_revoked`, and watches that ended with no refusal (5 s). */
  otherCodes: number;
  timedOut: number;
}

/** Asks the verifier process, over IPC, and waits for the answers to one watch. */
function watcher(service: BenchProcess) {
  const waiting = new Map<number, (answer: WatchAnswer) => void>();
  service.child.on('message', (message: WatchAnswer) => {
    const resolve = waiting.get(message.id);
    waiting.delete(message.id);
    resolve?.(message);
  });
  const next = (id: number) =>
    new Promise<WatchAnswer>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the verifier process did not answer in 10 s')),
        10_000,
      );
      waiting.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
    });
  let lastId = 0;
  return async (token: string) => {
    lastId += 1;
    const id = lastId;
    const accepted = next(id);
    service.child.send({ id, watch: token } satisfies WatchRequest);
    const first = await accepted;
    if (!('accepted' in first) || !first.accepted) {
      throw new Error(`the verifier refused a live token: ${JSON.stringify(first)}`);
    }
    // The refusal, or the end of the watch: wrapped, or awaiting this function would wait for it.
    return { refused: next(id) };
  };
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** Fails unless the service behind the verifier answers `expected` to `token`. */
async function expectStatus(serviceUrl: string, token: string, expected: number): Promise<void> {
  const { status, body } = await send(`${serviceUrl}/`, 'GET', undefined, token);
  if (status !== expected)
    throw new Error(`the verifier's service answered ${status}, not ${expected}: ${body}`);
}

/**
 * One row: a verifier following `feed` of an already started Keycard; `revocations` fresh sessions, signed in
 * once the verifier listens (the Redis feed refuses tokens issued before it subscribed, as documented).
 */
async function measureRow(
  keycard: BenchProcess,
  label: string,
  feed: 'sse' | 'redis',
  env: Record<string, string>,
  revocations: number,
): Promise<FeedRow> {
  const service = await startBenchProcess(
    join(import.meta.dirname, 'feed-verifier-service.ts'),
    [feed],
    {
      KEYCARD_BENCH_KEYCARD_URL: keycard.url,
      KEYCARD_BENCH_ISSUER: ISSUER,
      KEYCARD_BENCH_AUDIENCE: AUDIENCE,
      ...env,
    },
    '1',
  );
  try {
    // iat is in whole seconds: a token of the same second as the Redis subscription would count as before it.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const { accessTokens } = await seedSessions(keycard.url, {
      prefix: `feed-${feed}-${randomBytes(4).toString('hex')}`,
      users: Math.ceil(revocations / SESSIONS_PER_USER),
      sessionsPerUser: SESSIONS_PER_USER,
    });
    const [first = ''] = accessTokens;
    await expectStatus(service.url, first, 200);
    await expectStatus(service.url, tamperedToken(first), 401);
    const watch = watcher(service);
    const row: FeedRow = {
      label,
      roundTripsMs: [],
      refusedMs: [],
      afterResponseMs: [],
      otherCodes: 0,
      timedOut: 0,
    };
    const deadline = performance.now() + ROW_LIMIT_MS;
    let lastRevoked = first;
    for (const token of accessTokens.slice(0, revocations)) {
      if (performance.now() > deadline) break;
      lastRevoked = token;
      const { refused } = await watch(token);
      const sentAtUs = nowUs();
      const signOut = await send(`${keycard.url}/auth/sign_out`, 'POST', undefined, token);
      const answeredAtUs = nowUs();
      if (signOut.status !== 204) throw new Error(`sign-out answered ${signOut.status}: ${signOut.body}`);
      row.roundTripsMs.push((answeredAtUs - sentAtUs) / 1000);
      const answer = await refused;
      if ('refusedAtUs' in answer) {
        row.refusedMs.push((answer.refusedAtUs - sentAtUs) / 1000);
        row.afterResponseMs.push((answer.refusedAtUs - answeredAtUs) / 1000);
        if (answer.code !== 'token_revoked') row.otherCodes += 1;
      } else {
        row.timedOut += 1;
      }
    }
    // The last session signed out must be refused over HTTP too, with the same code.
    await expectStatus(service.url, lastRevoked, 401);
    return row;
  } finally {
    await service.stop();
  }
}

export interface VerifyFeedOptions {
  readonly revocations: number;
  /** PostgreSQL and Redis for the second Keycard, or undefined to leave those rows out. */
  readonly postgres?: {
    readonly databaseUrl: string;
    readonly redisUrl: string;
    readonly redisPrefix: string;
  };
}

/** Runs `use` with a Keycard server (JWT access tokens) on core 0, then stops it. */
async function withKeycard<T>(
  env: Record<string, string>,
  use: (keycard: BenchProcess) => Promise<T>,
): Promise<T> {
  const keycard = await startBenchProcess(
    join(import.meta.dirname, '..', 'core', 'keycard-bench-server.ts'),
    [],
    {
      KEYCARD_HOST: '127.0.0.1',
      KEYCARD_PORT: '0',
      KEYCARD_SECRET: randomBytes(32).toString('base64url'),
      KEYCARD_RATE_LIMITS: 'off',
      KEYCARD_ACCESS_TOKEN_FORMAT: 'jwt',
      KEYCARD_ISSUER: ISSUER,
      KEYCARD_AUDIENCE: AUDIENCE,
      ...env,
    },
    '0',
  );
  try {
    return await use(keycard);
  } finally {
    await keycard.stop();
  }
}

export async function measureVerifyFeed(options: VerifyFeedOptions): Promise<FeedRow[]> {
  const serviceKey = randomBytes(32).toString('base64url');
  const rows: FeedRow[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'keycard-bench-feed-'));
  try {
    await withKeycard(
      { KEYCARD_DATABASE_URL: `sqlite:${folder}/keycard.db`, KEYCARD_SERVICE_KEYS: serviceKey },
      async (keycard) => {
        rows.push(
          await measureRow(
            keycard,
            'SQLite, SSE stream',
            'sse',
            { KEYCARD_BENCH_SERVICE_KEY: serviceKey },
            options.revocations,
          ),
        );
      },
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const { postgres } = options;
  if (postgres === undefined) return rows;
  await withKeycard(
    {
      KEYCARD_DATABASE_URL: postgres.databaseUrl,
      KEYCARD_REDIS_URL: postgres.redisUrl,
      KEYCARD_REDIS_PREFIX: postgres.redisPrefix,
      KEYCARD_SERVICE_KEYS: serviceKey,
    },
    async (keycard) => {
      rows.push(
        await measureRow(
          keycard,
          'PostgreSQL + Redis, SSE stream',
          'sse',
          { KEYCARD_BENCH_SERVICE_KEY: serviceKey },
          options.revocations,
        ),
        await measureRow(
          keycard,
          'PostgreSQL + Redis, Redis channel',
          'redis',
          { KEYCARD_BENCH_REDIS_URL: postgres.redisUrl, KEYCARD_BENCH_REDIS_PREFIX: postgres.redisPrefix },
          options.revocations,
        ),
      );
    },
  );
  return rows;
}

export function formatVerifyFeed(rows: readonly FeedRow[]): string {
  const ms = (values: readonly number[], fraction: number) =>
    percentile(
      [...values].sort((a, b) => a - b),
      fraction,
    ).toFixed(2);
  return [
    '| Keycard store, feed | revocations | revoke round trip p50 / p99 ms (baseline) | verifier refuses, from the revoke sent: p50 / p99 / max ms | p50 ratio to the round trip | refused after the revoke response: p50 / p99 ms | other code / no refusal in 5 s |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.label} | ${row.roundTripsMs.length} | ${ms(row.roundTripsMs, 0.5)} / ${ms(row.roundTripsMs, 0.99)} | **${ms(row.refusedMs, 0.5)} / ${ms(row.refusedMs, 0.99)}** / ${ms(row.refusedMs, 1)} | ${(median(row.refusedMs) / median(row.roundTripsMs)).toFixed(2)} | ${ms(row.afterResponseMs, 0.5)} / ${ms(row.afterResponseMs, 0.99)} | ${row.otherCodes} / ${row.timedOut} |`,
    ),
    '',
    "Keycard (JWT access tokens, EdDSA) pinned to core 0; the verifier process (`createVerifier` from the build, its feed wrapped only to re-check the watched token after each message) and this process on core 1. Each revocation: a fresh session, its token accepted by the verifier first, then `POST /auth/sign_out`; the time runs from sending that call to the verifier refusing the token (`token_revoked`), on the system-wide monotonic clock (negative after the response: the verifier refused before the revoke call had its answer). Before measuring, the verifier's service answers 200 to a token and 401 to it with one signature character changed.",
  ].join('\n');
}
