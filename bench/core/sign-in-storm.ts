/**
 * Sign-in throughput against the raw argon2id verify rate of the same hasher with the same concurrency on the
 * same core, measured in alternation in the same run; and GET /health latency, probed at 50 requests a second
 * from core 1, while the server is idle and while a sign-in storm runs.
 *
 * The throughput is measured in storms of their own, with no probes: each probe arrives on its own and costs the
 * event loop a turn that starts cold, about 0.5 ms (GET /health sent alone 80 times a second, CPU time from
 * /proc, against ~20 µs a request under steady load) — some 2.5% of the core at 50 a second, which the raw rate
 * does not pay. Each round runs the raw rate, a plain storm, then a
 * storm with probes, whose rate is shown too.
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
/**
 * Sign-ins before measuring. At ~80 sign-ins a second V8 takes 30–45 s to optimise the sign-in path (TurboFan
 * tiers a function up by the bytecode it has run, so code run 80 times a second waits far longer than code run
 * 40,000 times): measured with each thread's CPU time from /proc, the event loop's share of a sign-in fell from
 * 1.64 ms in the first 5 s to 1.10 ms after 45 s, and sign-ins per second rose 12%. The raw rate is native code
 * and needs no warm-up, so a short warm-up would measure V8's tiering, not the server.
 */
const WARM_UP_SIGN_INS = 3000;
const WARM_UP_MAX_SECONDS = 90;

export interface SignInStorm {
  readonly connections: number;
  readonly seconds: number;
  readonly rawVerifyPerSecond: number[];
  /** Sign-in storms with no other traffic: the throughput compared with the raw rate. */
  readonly signIn: WrkResult[];
  /** Sign-in storms while GET /health is probed: for the probes' latency (their cost shows in this rate). */
  readonly signInProbed: WrkResult[];
  /** GET /health latencies (ms), sorted: with the server idle, and during the storms. */
  readonly healthIdle: number[];
  readonly healthStorm: number[];
  readonly healthFailures: number;
  readonly storeCallsPerSignIn: StoreCalls;
  readonly signInsCounted: number;
  readonly wrkCommand: string;
  readonly warmUpSignIns: number;
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
      let warmedUp = 0;
      const warmUpStarted = performance.now();
      while (warmedUp < WARM_UP_SIGN_INS && performance.now() - warmUpStarted < WARM_UP_MAX_SECONDS * 1000) {
        warmedUp += (await runWrk(storm(5))).requests;
      }
      const idle = await probeHealth(server.url, 2000);
      const raw: number[] = [];
      const signIn: WrkResult[] = [];
      const signInProbed: WrkResult[] = [];
      const healthStorm: number[] = [];
      let healthFailures = idle.failures;
      const callsBefore = await server.storeCalls();
      for (let round = 0; round < rounds; round += 1) {
        raw.push(await rawVerifyRate(seconds, connections));
        signIn.push(await runWrk(storm(seconds)));
        const running = runWrk(storm(seconds));
        // Probe while the storm runs, leaving its first and last half-second out (ramp-up, tail).
        await new Promise((resolve) => setTimeout(resolve, 500));
        const probed = await probeHealth(server.url, (seconds - 1) * 1000);
        signInProbed.push(await running);
        healthStorm.push(...probed.latencies);
        healthFailures += probed.failures;
      }
      const calls = storeCallsBetween(callsBefore, await server.storeCalls());
      const signInsCounted = [...signIn, ...signInProbed].reduce((sum, result) => sum + result.requests, 0);
      return {
        connections,
        seconds,
        rawVerifyPerSecond: raw,
        signIn,
        signInProbed,
        healthIdle: idle.latencies.sort((a, b) => a - b),
        healthStorm: healthStorm.sort((a, b) => a - b),
        healthFailures,
        storeCallsPerSignIn: calls,
        signInsCounted,
        wrkCommand: describeWrk({ ...storm(seconds), url: '<url>' }),
        warmUpSignIns: warmedUp,
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
  const failures = [...result.signIn, ...result.signInProbed].reduce(
    (sum, run) => sum + run.non2xx + run.socketErrors,
    0,
  );
  const stormP99 = percentile(result.healthStorm, 0.99);
  const perSignIn = Object.entries(result.storeCallsPerSignIn)
    .map(([method, count]) => `${method} ${(count / result.signInsCounted).toFixed(2)}`)
    .join(', ');
  // Each round's sign-in rate against the raw rate measured at the start of that round, so a drift of the
  // machine's speed falls on both alike; the median of those is the result.
  const signInRow = (label: string, runs: readonly WrkResult[], target: number | undefined) => {
    const rates = runs.map((run) => run.requestsPerSecond);
    const ratios = rates.map((rate, round) => rate / (result.rawVerifyPerSecond[round] ?? NaN));
    const p99 = median(runs.map((run) => run.p99Ms)).toFixed(0);
    const ratio = target === undefined ? median(ratios).toFixed(2) : ratioCell(median(ratios), target);
    return `| ${label} (p99 ${p99} ms) | ${median(rates).toFixed(1)} | ${spread(rates, 1)} | ${ratio} (${spread(ratios, 2)}) |`;
  };
  return [
    `| measure (${result.connections} at once, ${result.rawVerifyPerSecond.length} rounds of ${result.seconds} s each, in turn, core 0; ${failures} non-2xx) | per second, median | min–max | ratio, median of the rounds (target) (min–max) |`,
    '|---|---|---|---|',
    `| raw argon2id verify, \`createArgon2PasswordHasher()\` (${(1000 / raw).toFixed(1)} ms each) | ${raw.toFixed(1)} | ${spread(result.rawVerifyPerSecond, 1)} | baseline |`,
    signInRow('POST /auth/sign_in over HTTP', result.signIn, 0.9),
    signInRow(
      `POST /auth/sign_in while GET /health is probed at ${PROBES_PER_SECOND}/s (not a target: the probes' own cost)`,
      result.signInProbed,
      undefined,
    ),
    '',
    `| GET /health at ${PROBES_PER_SECOND}/s from core 1 | probes | p50 ms | p99 ms (target < 50) | max ms |`,
    '|---|---|---|---|---|',
    `| server idle | ${latencyCells(result.healthIdle)} |`,
    `| during the sign-in storms (${stormP99 < 50 ? 'met' : 'NOT met'}; ${result.healthFailures} non-200) | ${latencyCells(result.healthStorm)} |`,
    '',
    `Warm-up: ${result.warmUpSignIns} sign-ins (at least ${WARM_UP_SIGN_INS}, or ${WARM_UP_MAX_SECONDS} s) before the first round, so V8 has optimised the sign-in path.`,
    `Load: \`${result.wrkCommand}\`; the raw rate: \`taskset -c 0 node --import tsx bench/core/argon2-rate.ts ${result.seconds} ${result.connections}\`.`,
    `Store calls per sign-in during the storms: ${perSignIn === '' ? 'none' : perSignIn} (${formatStoreCalls(result.storeCallsPerSignIn)} for ~${result.signInsCounted.toFixed(0)} sign-ins).`,
  ].join('\n');
}
