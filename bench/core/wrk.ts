import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface WrkResult {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  /** Connect, read, write and timeout errors together. */
  readonly socketErrors: number;
}

export interface WrkOptions {
  readonly url: string;
  /** A file in bench/core/lua. */
  readonly script: string;
  readonly seconds: number;
  readonly connections: number;
  readonly cpus: string;
  readonly env?: Record<string, string>;
}

export const LUA_DIR = join(import.meta.dirname, 'lua');

function wrkArguments(options: WrkOptions): string[] {
  return [
    '-c',
    options.cpus,
    'wrk',
    '-t1',
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    '--latency',
    '--timeout',
    '5s',
    '-s',
    join(LUA_DIR, options.script),
    options.url,
  ];
}

/** The command line, for the tables: what a reader would type to repeat one run. */
export function describeWrk(options: WrkOptions): string {
  const env = Object.keys(options.env ?? {}).map((name) => `${name}=…`);
  const args = wrkArguments(options).map((arg) => arg.replace(`${LUA_DIR}/`, 'bench/core/lua/'));
  return [...env, 'taskset', ...args.slice(0, -1), '<url>'].join(' ');
}

/** Runs wrk (one thread) pinned to `cpus` with taskset; bounded by -d and a hard timeout of d + 30 s. */
export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+/.test(options.url)) throw new Error(`not a loopback URL: ${options.url}`);
  const { stdout } = await run('taskset', wrkArguments(options), {
    env: { ...process.env, ...options.env },
    timeout: (options.seconds + 30) * 1000,
    killSignal: 'SIGKILL',
  });
  return parseWrk(stdout);
}

function toMs(value: string, unit: string): number {
  const number = Number(value);
  return unit === 'us' ? number / 1000 : unit === 's' ? number * 1000 : number;
}

export function parseWrk(output: string): WrkResult {
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const requests = /(\d+) requests in /.exec(output);
  const p50 = /\s50%\s+([\d.]+)(us|ms|s)\b/.exec(output);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)\b/.exec(output);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  if (rate?.[1] === undefined) throw new Error(`unreadable wrk output:\n${output}`);
  return {
    requests: requests?.[1] === undefined ? NaN : Number(requests[1]),
    requestsPerSecond: Number(rate[1]),
    p50Ms: p50?.[1] === undefined ? NaN : toMs(p50[1], p50[2] ?? 'ms'),
    p99Ms: p99?.[1] === undefined ? NaN : toMs(p99[1], p99[2] ?? 'ms'),
    non2xx: non2xx?.[1] === undefined ? 0 : Number(non2xx[1]),
    socketErrors: errors === null ? 0 : errors.slice(1).reduce((sum, count) => sum + Number(count), 0),
  };
}
