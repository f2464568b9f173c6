/**
 * Sign-in throughput against the raw argon2id verify rate of the same hasher with the same concurrency on the
 * same core, measured in alternation in the same run; and GET /health latency, probed at 50 requests a second
 * from core 1, while the server is idle and while the sign-in storm runs.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { send } from '../cluster/closed-loop.js';
import { formatStoreCalls, startBenchProcess, type StoreCalls, storeCallsBetween } from './bench-process.js';
import { BENCH_PASSWORD, seedSessions } from './seed-accounts.js';
import { median, percentile, ratioCell, spread } from './stats.js';
import { describeWrk, runWrk, type WrkOptions, type WrkResult } from './wrk.js';

const run = promisify(execFile);
const PROBES_PER_SECOND = 50;

export interface SignInStorm {
  readonly connections: number;
  readonly seconds: number;
  readonly rawVerifyPerSecond: number[];
  readonly signIn: WrkResult[];
  /** GET /health latencies (ms), sorted: with the server idle, and during the storms. */
  readonly healthIdle: number[];
  readonly healthStorm: number[];
  readonly healthFailures: number;
  readonly storeCallsPerSignIn: StoreCalls;
  readonly signInsCounted: number;
  readonly wrkCommand: string;
}

async function rawVerifyRate(seconds: number, concurrency: number): Promise<number> {
  const script = join(import.meta.dirname, 'argon2-rate.ts');
  const { stdout } = await run(
    'taskset',
    ['-c', '0', process.execPath, '--import', 'tsx', script, String(seconds), String(concurrency)],
    { timeout: (seconds + 60) * 1000, killSignal: 'SIGKILL' },
  );
  return (JSON.parse(stdout.trim()) as { perSecond: number }).perSecond;
}

/** Probes GET /health at a steady rate for `ms`; returns the latencies (ms) and how many failed. */
async function probeHealth(url: string, ms: number): Promise<{ latencies: number[]; failures: number }> {
  const latencies: number[] = [];
  let failures = 0;
  const deadline = performance.now() + ms;
  for (let next = performance.now(); next < deadline; next += 1000 / PROBES_PER_SECOND) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
    const before = performance.now();
    const { status } = await send(`${url}/health`, 'GET');
    latencies.push(performance.now() - before);
    if (status !== 200) failures += 1;
  }
  return { latencies, failures };
}

export async function measureSignInStorm({
  rounds = 5,
  seconds = 6,
  connections = 16,
} = {}): Promise<SignInStorm> {
  const folder = mkdtempSync(join(tmpdir(), 'keycard-bench-sign-in-'));
  try {
    const server = await startBenchProcess(
      join(import.meta.dirname, 'keycard-bench-server.ts'),
      [],
      {
        KEYCARD_HOST: '127.0.0.1',
        KEYCARD_PORT: '0',
        KEYCARD_SECRET: randomBytes(32).toString('base64url'),
        KEYCARD_DATABASE_URL: `sqlite:${folder}/keycard.db`,
        KEYCARD_RATE_LIMITS: 'off',
        KEYCARD_SWEEP_INTERVAL: '1h',
      },
      '0',
    );
    try {
      const { emails } = await seedSessions(server.url, { prefix: 'storm', users: 20, sessionsPerUser: 1 });
      const emailsFile = join(folder, 'emails.txt');
      writeFileSync(emailsFile, `${emails.join('\n')}\n`);
      const storm = (secondsToRun: number): WrkOptions => ({
        url: server.url,
        script: 'sign-in.lua',
        seconds: secondsToRun,
        connections,
        cpus: '1',
        env: { KEYCARD_BENCH_EMAILS: emailsFile, KEYCARD_BENCH_PASSWORD: BENCH_PASSWORD },
      });
      await runWrk(storm(2)); // warm-up
      const idle = await probeHealth(server.url, 2000);
      const raw: number[] = [];
      const signIn: WrkResult[] = [];
      const healthStorm: number[] = [];
      let healthFailures = idle.failures;
      const callsBefore = await server.storeCalls();
      for (let round = 0; round < rounds; round += 1) {
        raw.push(await rawVerifyRate(seconds, connections));
        const running = runWrk(storm(seconds));
        // Probe while the storm runs, leaving its first and last half-second out (ramp-up, tail).
        await new Promise((resolve) => setTimeout(resolve, 500));
        const probed = await probeHealth(server.url, (seconds - 1) * 1000);
        signIn.push(await running);
        healthStorm.push(...probed.latencies);
        healthFailures += probed.failures;
      }
      const calls = storeCallsBetween(callsBefore, await server.storeCalls());
      const signInsCounted = signIn.reduce((sum, result) => sum + result.requestsPerSecond * seconds, 0);
      return {
        connections,
        seconds,
        rawVerifyPerSecond: raw,
        signIn,
        healthIdle: idle.latencies.sort((a, b) => a - b),
        healthStorm: healthStorm.sort((a, b) => a - b),
        healthFailures,
        storeCallsPerSignIn: calls,
        signInsCounted,
        wrkCommand: describeWrk({ ...storm(seconds), url: '<url>' }),
      };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function latencyCells(latencies: readonly number[]): string {
  const p99 = percentile(latencies, 0.99);
  return `${latencies.length} | ${percentile(latencies, 0.5).toFixed(1)} | **${p99.toFixed(1)}** | ${(latencies.at(-1) ?? NaN).toFixed(1)}`;
}

export function formatSignInStorm(result: SignInStorm): string {
  const raw = median(result.rawVerifyPerSecond);
  const rates = result.signIn.map((run) => run.requestsPerSecond);
  const signIn = median(rates);
  // Each round's sign-in rate against the raw rate measured just before it, so a drift of the machine's speed
  // falls on both alike; the median of those is the result.
  const ratios = rates.map((rate, round) => rate / (result.rawVerifyPerSecond[round] ?? NaN));
  const failures = result.signIn.reduce((sum, run) => sum + run.non2xx + run.socketErrors, 0);
  const stormP99 = percentile(result.healthStorm, 0.99);
  const perSignIn = Object.entries(result.storeCallsPerSignIn)
    .map(([method, count]) => `${method} ${(count / result.signInsCounted).toFixed(2)}`)
    .join(', ');
  return [
    `| measure (${result.connections} at once, ${result.rawVerifyPerSecond.length} alternating rounds of ${result.seconds} s, core 0) | per second, median | min–max | ratio, median of the rounds (target) (min–max) |`,
    '|---|---|---|---|',
    `| raw argon2id verify, \`createArgon2PasswordHasher()\` (${(1000 / raw).toFixed(1)} ms each) | ${raw.toFixed(1)} | ${spread(result.rawVerifyPerSecond, 1)} | baseline |`,
    `| POST /auth/sign_in over HTTP (p99 ${median(result.signIn.map((run) => run.p99Ms)).toFixed(0)} ms; ${failures} non-2xx) | ${signIn.toFixed(1)} | ${spread(rates, 1)} | ${ratioCell(median(ratios), 0.9)} (${spread(ratios, 2)}) |`,
    '',
    `| GET /health at ${PROBES_PER_SECOND}/s from core 1 | probes | p50 ms | p99 ms (target < 50) | max ms |`,
    '|---|---|---|---|---|',
    `| server idle | ${latencyCells(result.healthIdle)} |`,
    `| during the sign-in storms (${stormP99 < 50 ? 'met' : 'NOT met'}; ${result.healthFailures} non-200) | ${latencyCells(result.healthStorm)} |`,
    '',
    `Load: \`${result.wrkCommand}\`; the raw rate: \`taskset -c 0 node --import tsx bench/core/argon2-rate.ts ${result.seconds} ${result.connections}\`.`,
    `Store calls per sign-in during the storms: ${perSignIn === '' ? 'none' : perSignIn} (${formatStoreCalls(result.storeCallsPerSignIn)} for ~${result.signInsCounted.toFixed(0)} sign-ins).`,
  ].join('\n');
}
