/**
 * Authenticated GET /me against a bare Fastify route returning a JSON body of the same byte length, in the same
 * run: both servers pinned to core 0, wrk pinned to core 1 rotating through 1,000 distinct access tokens, the
 * two measured in alternation after a warm-up. The Keycard server counts its store calls, so the table shows
 * what reached the database while /me was measured.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { send } from '../cluster/closed-loop.js';
import {
  type BenchProcess,
  type StoreCalls,
  formatStoreCalls,
  startBenchProcess,
  storeCallsBetween,
} from './bench-process.js';
import { processCpuSeconds } from './process-cpu.js';
import { seedSessions } from './seed-accounts.js';
import { median, ratioCell, spread } from './stats.js';
import { describeWrk, runWrk, type WrkOptions, type WrkResult } from './wrk.js';

/** One wrk run, with the CPU time the server used for it (all its threads) per request answered. */
export interface MeRun extends WrkResult {
  readonly serverCpuUsPerRequest: number;
}

/** Runs wrk against `server` and reads the server's CPU time before and after. */
async function measuredRun(server: BenchProcess, options: WrkOptions): Promise<MeRun> {
  const pid = server.child.pid ?? 0;
  const cpuBefore = processCpuSeconds(pid);
  const result = await runWrk(options);
  const cpuSeconds = processCpuSeconds(pid) - cpuBefore;
  return { ...result, serverCpuUsPerRequest: (cpuSeconds * 1e6) / result.requests };
}

export interface MeThroughputOptions {
  /** Label of the store, for the table. */
  readonly label: string;
  /** Environment of the Keycard server (KEYCARD_DATABASE_URL and, for several nodes, KEYCARD_REDIS_URL). */
  readonly env: Record<string, string>;
  /** The ratio to the bare route this pairing must reach. */
  readonly target: number;
  readonly users?: number;
  readonly sessionsPerUser?: number;
  readonly rounds?: number;
  readonly seconds?: number;
  readonly warmUpSeconds?: number;
  readonly connections?: number;
}

export interface MeThroughput {
  readonly label: string;
  readonly target: number;
  readonly tokens: number;
  readonly keycardBodyBytes: number;
  readonly bareBodyBytes: number;
  readonly bare: MeRun[];
  readonly keycard: MeRun[];
  /** Store calls Keycard made during the measured rounds (after the warm-up), by method. */
  readonly storeCallsMeasured: StoreCalls;
  readonly wrkCommand: string;
  readonly warmUpSeconds: number;
}

export async function measureMeThroughput(options: MeThroughputOptions): Promise<MeThroughput> {
  const { users = 100, sessionsPerUser = 10, rounds = 7, seconds = 5, warmUpSeconds = 3 } = options;
  const { connections = 32 } = options;
  const folder = mkdtempSync(join(tmpdir(), 'keycard-bench-me-'));
  try {
    const keycard = await startBenchProcess(
      join(import.meta.dirname, 'keycard-bench-server.ts'),
      [],
      {
        KEYCARD_HOST: '127.0.0.1',
        KEYCARD_PORT: '0',
        KEYCARD_SECRET: randomBytes(32).toString('base64url'),
        KEYCARD_DATABASE_URL: `sqlite:${folder}/keycard.db`,
        KEYCARD_RATE_LIMITS: 'off',
        // The periodic sweep would otherwise land in the measured window and blur the store-call count.
        KEYCARD_SWEEP_INTERVAL: '1h',
        ...options.env,
      },
      '0',
    );
    try {
      const { accessTokens } = await seedSessions(keycard.url, { prefix: 'me', users, sessionsPerUser });
      const tokensFile = join(folder, 'tokens.txt');
      writeFileSync(tokensFile, `${accessTokens.join('\n')}\n`);
      const sample = await send(`${keycard.url}/me`, 'GET', undefined, accessTokens[0]);
      if (sample.status !== 200) throw new Error(`GET /me answered ${sample.status}: ${sample.body}`);
      await expectRefused(keycard.url, tamperedToken(accessTokens[0] ?? ''));
      const keycardBodyBytes = Buffer.byteLength(sample.body);
      const load = (url: string, secondsToRun: number): WrkOptions => ({
        url,
        script: 'rotating-bearer.lua',
        seconds: secondsToRun,
        connections,
        cpus: '1',
        env: { KEYCARD_BENCH_TOKENS: tokensFile },
      });
      // The bare server holds a tick object as Keycard does (bare-server.ts), so an idle spell cannot slow it.
      const bare = await startBenchProcess(
        join(import.meta.dirname, 'bare-server.ts'),
        [String(keycardBodyBytes)],
        {},
        '0',
      );
      try {
        const bareBodyBytes = Buffer.byteLength((await send(`${bare.url}/me`, 'GET')).body);
        // Warm-up: JIT, connection set-up, and every token's session read into Keycard's cache once.
        await runWrk(load(bare.url, warmUpSeconds));
        await runWrk(load(keycard.url, warmUpSeconds));
        const callsBefore = await keycard.storeCalls();
        const bareRuns: MeRun[] = [];
        const keycardRuns: MeRun[] = [];
        for (let round = 0; round < rounds; round += 1) {
          bareRuns.push(await measuredRun(bare, load(bare.url, seconds)));
          keycardRuns.push(await measuredRun(keycard, load(keycard.url, seconds)));
        }
        return {
          label: options.label,
          target: options.target,
          tokens: accessTokens.length,
          keycardBodyBytes,
          bareBodyBytes,
          bare: bareRuns,
          keycard: keycardRuns,
          storeCallsMeasured: storeCallsBetween(callsBefore, await keycard.storeCalls()),
          wrkCommand: describeWrk(load('<url>', seconds)),
          warmUpSeconds,
        };
      } finally {
        await bare.stop();
      }
    } finally {
      await keycard.stop();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * `token` with one character of its last part (the secret of an opaque token, the signature of a JWT) changed,
 * away from the end: the last base64url character of a signature can carry only padding bits, which decoders
 * ignore, so changing it could leave the token valid.
 */
export function tamperedToken(token: string): string {
  const at = token.length - 8;
  const replacement = token[at] === 'A' ? 'B' : 'A';
  return `${token.slice(0, at)}${replacement}${token.slice(at + 1)}`;
}

/** Sanity check before measuring: the server must refuse a token it did not issue, so it really checks each one. */
async function expectRefused(url: string, token: string): Promise<void> {
  const refused = await send(`${url}/me`, 'GET', undefined, token);
  if (refused.status !== 401) {
    throw new Error(`GET /me with a tampered token answered ${refused.status}, not 401: ${refused.body}`);
  }
}

function row(name: string, runs: readonly MeRun[], ratios: string, storeCalls: string): string {
  const rates = runs.map((run) => run.requestsPerSecond);
  const failures = runs.reduce((sum, run) => sum + run.non2xx + run.socketErrors, 0);
  const p99 = runs.map((run) => run.p99Ms);
  const cpu = runs.map((run) => run.serverCpuUsPerRequest);
  return `| ${name} | ${median(rates).toFixed(0)} | ${spread(rates)} | ${median(p99).toFixed(2)} (${spread(p99, 2)}) | ${median(cpu).toFixed(1)} (${spread(cpu, 1)}) | ${ratios} | ${storeCalls} | ${failures} |`;
}

export function formatMeThroughput(results: readonly MeThroughput[]): string {
  const [first] = results;
  const lines = [
    '| server (GET /me) | req/s, median | req/s, min–max | p99 ms, median (min–max) | server CPU µs per request, median (min–max) | ratio Keycard / bare, median of the rounds (min–max) (target): by req/s; by CPU per request | store calls while measured | non-2xx + socket errors |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const result of results) {
    // Each round's Keycard run against the bare run just before it: a drift of the machine's speed over the
    // pairing (it swings by up to 2x from minute to minute here) falls on both runs of a round alike.
    const pairedRatios = (ratio: (bare: MeRun, keycard: MeRun) => number) =>
      result.keycard.map((keycard, round) => {
        const bare = result.bare[round];
        return bare === undefined ? NaN : ratio(bare, keycard);
      });
    const byRate = pairedRatios((bare, keycard) => keycard.requestsPerSecond / bare.requestsPerSecond);
    const byCpu = pairedRatios((bare, keycard) => bare.serverCpuUsPerRequest / keycard.serverCpuUsPerRequest);
    lines.push(
      row(`bare Fastify route, ${result.bareBodyBytes}-byte body`, result.bare, 'baseline', '–'),
      row(
        `Keycard, ${result.label}, ${result.tokens.toLocaleString('en')} tokens, ${result.keycardBodyBytes}-byte body`,
        result.keycard,
        `${ratioCell(median(byRate), result.target)} (${spread(byRate, 2)}); ${median(byCpu).toFixed(2)} (${spread(byCpu, 2)})`,
        formatStoreCalls(result.storeCallsMeasured),
      ),
    );
  }
  if (first !== undefined) {
    lines.push(
      '',
      `Each pairing: ${first.warmUpSeconds} s of warm-up on each server, then ${first.bare.length} alternating rounds (bare, Keycard, …) of wrk pinned to core 1, each server pinned to core 0:`,
      `\`${first.wrkCommand}\` (rotating-bearer.lua sends a different token on every request).`,
      'Before measuring, each Keycard server must answer 200 to one of its tokens and 401 to the same token with one character of its secret (opaque) or signature (JWT) changed.',
      'Ratios are taken round by round (each Keycard run against the bare run just before it) and their median is given: a drift of the machine’s speed during the pairing then cancels out.',
      'Server CPU time is user and system time of the server process (every thread, from /proc) during each run, divided by the requests wrk counted: on a machine shared with other work it is steadier than req/s, as time spent waiting for the core does not count.',
      'Store calls are counted by a proxy around the store, from the end of the warm-up to the end of the last round; `touchSession` is the activity write each session gets at most once a minute, by design.',
    );
  }
  return lines.join('\n');
}
