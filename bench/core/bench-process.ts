import { type ChildProcess, spawn } from 'node:child_process';

/** Store calls a Keycard bench server has made so far, by method name. */
export type StoreCalls = Record<string, number>;

export interface BenchProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Asks a Keycard bench server (keycard-bench-server.ts) for its store calls so far, by method. */
  storeCalls(): Promise<StoreCalls>;
  stop(): Promise<void>;
}

/** Every child still running, so `stopAllBenchProcesses` can end them on the way out, whatever happened. */
const running = new Set<ChildProcess>();

/** Ends every bench child still running: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopAllBenchProcesses(graceMs = 3000): Promise<void> {
  await Promise.all([...running].map((child) => stopChild(child, graceMs)));
}

function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  return new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(killer);
      done();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Runs a TypeScript bench server with tsx, pinned to `cpus` with taskset, and waits (at most 60 s) for the
 * `listening on <url>` line it prints. Its environment is only PATH, a silent log level and `env`. With
 * KEYCARD_BENCH_CPU_PROF=<folder> in the bench's environment, each such process writes a V8 CPU profile there
 * when it stops (`node --cpu-prof`; open it in Chrome's DevTools, or summarise it with
 * `npx tsx bench/core/cpu-profile-summary.ts <file>`).
 */
export function startBenchProcess(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
  cpus: string,
): Promise<BenchProcess> {
  const profileFolder = process.env.KEYCARD_BENCH_CPU_PROF;
  const profiling = profileFolder === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileFolder}`];
  const child = spawn(
    'taskset',
    ['-c', cpus, process.execPath, ...profiling, '--import', 'tsx', script, ...args],
    {
      env: { PATH: process.env.PATH ?? '', KEYCARD_LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  );
  running.add(child);
  child.once('exit', () => running.delete(child));
  return new Promise<BenchProcess>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not start within 60 s: ${output}`));
    }, 60_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code ?? signal ?? '?'}): ${output}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      resolve({ url, child, storeCalls: () => askStoreCalls(child), stop: () => stopChild(child) });
    });
  });
}

function askStoreCalls(child: ChildProcess): Promise<StoreCalls> {
  return new Promise<StoreCalls>((answer, fail) => {
    const timer = setTimeout(() => fail(new Error('no answer to store-calls within 5 s')), 5000);
    child.once('message', (message: { storeCalls?: StoreCalls }) => {
      clearTimeout(timer);
      answer(message.storeCalls ?? {});
    });
    child.send('store-calls');
  });
}

/** Calls made between two snapshots, by method; methods not called are left out. */
export function storeCallsBetween(before: StoreCalls, after: StoreCalls): StoreCalls {
  const calls: StoreCalls = {};
  for (const [method, count] of Object.entries(after)) {
    const made = count - (before[method] ?? 0);
    if (made > 0) calls[method] = made;
  }
  return calls;
}

export function formatStoreCalls(calls: StoreCalls): string {
  const entries = Object.entries(calls);
  if (entries.length === 0) return '0';
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  return `${total} (${entries.map(([method, count]) => `${method} ${count}`).join(', ')})`;
}
