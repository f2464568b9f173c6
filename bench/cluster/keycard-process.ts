import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BUILD_URL } from '../core/from-build.js';

// The build, as `npm start` runs it (`npm run bench` builds first).
const cli = [fileURLToPath(new URL('cli/main.js', BUILD_URL)), 'serve'];

export interface KeycardProcess {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `keycard serve` (optionally pinned to CPUs with taskset) and resolves with the URL it prints. */
export function startKeycardProcess(env: Record<string, string>, cpus?: string): Promise<KeycardProcess> {
  const [command, args] =
    cpus === undefined ? [process.execPath, cli] : ['taskset', ['-c', cpus, process.execPath, ...cli]];
  const child = spawn(command, args, {
    // Rate limits off: the load comes from one address, which is the point of a load test, not an attack.
    env: { PATH: process.env.PATH ?? '', KEYCARD_LOG_LEVEL: 'silent', KEYCARD_RATE_LIMITS: 'off', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) resolve();
      else {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }
    });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`keycard did not start: ${output}`));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve({ url, child, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`keycard exited with ${code}: ${output}`));
    });
  });
}
