import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAdminStatement, TEST_POSTGRES_URL, type TestStoreKind } from './test-store.js';

const cli = ['--import', 'tsx', join(import.meta.dirname, '../../src/cli/main.ts')];

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `keycard <args>` from the source in a child process with only `env` (and PATH) set, feeding `stdin`;
 * killed after `timeoutMs`.
 */
export function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  { stdin, timeoutMs = 30_000 }: { stdin?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [...cli, ...args], {
    env: { PATH: process.env.PATH ?? '', KEYCARD_LOG_LEVEL: 'silent', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A database the CLI can reach from another process: a SQLite file, or a PostgreSQL database of its own. */
export interface CliDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database of the kind under test. The memory store lives in one process, so a command line
 * cannot reach it: undefined for `memory`.
 */
export async function createCliDatabase(kind: TestStoreKind): Promise<CliDatabase | undefined> {
  if (kind === 'memory') return undefined;
  if (kind === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), 'keycard-cli-'));
    return {
      url: `sqlite:${folder}/keycard.db`,
      drop: () => Promise.resolve(rmSync(folder, { recursive: true, force: true })),
    };
  }
  const database = `keycard_cli_${randomBytes(6).toString('hex')}`;
  await runAdminStatement(`create database ${database}`);
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${database}`;
  return {
    url: url.href,
    drop: () => runAdminStatement(`drop database if exists ${database} with (force)`),
  };
}

export const CLI_TEST_SECRET = 'cli-test-secret-cli-test-secret-0123456789';

export interface CliServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** `keycard serve` on a free port of `env`'s database, as another process; resolves once it listens. */
export async function startCliServer(env: Readonly<Record<string, string>>): Promise<CliServer> {
  const child = spawn(process.execPath, [...cli, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      KEYCARD_LOG_LEVEL: 'silent',
      KEYCARD_PORT: '0',
      KEYCARD_SECRET: CLI_TEST_SECRET,
      KEYCARD_RATE_LIMITS: 'off',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const deadline = Date.now() + 20_000;
  let url: string | undefined;
  while ((url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1]) === undefined) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`keycard serve did not start: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `check` every 100 ms until it is true, or throws after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs `tasks` at most `concurrency` at a time (child processes on a small machine); results in order. */
export async function inBatches<T>(tasks: readonly (() => Promise<T>)[], concurrency = 4): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < tasks.length; start += concurrency) {
    results.push(...(await Promise.all(tasks.slice(start, start + concurrency).map((task) => task()))));
  }
  return results;
}
