import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const cli = ['--import', 'tsx', join(import.meta.dirname, '../../src/cli/main.ts')];
const children: ChildProcess[] = [];
const folders: string[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'keycard-cli-'));
  folders.push(folder);
  return folder;
}

function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [...cli, ...args], {
    env: { PATH: process.env.PATH ?? '', KEYCARD_LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('keycard serve', () => {
  it('serves on SQLite, says where, keeps a generated secret with mode 0600, and stops on SIGTERM', async () => {
    const data = tempFolder();
    const server = run(['serve'], { KEYCARD_PORT: '0', KEYCARD_DATABASE_URL: `sqlite:${data}/keycard.db` });
    await waitFor(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(server.output().stdout));
    const { stdout } = server.output();
    expect(stdout).toContain(`SQLite at ${data}/keycard.db`);
    const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1] ?? '';
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(statSync(join(data, 'keycard.secret')).mode & 0o777).toBe(0o600);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('refuses to start with a bad setting and names the variable', async () => {
    const command = run(['serve'], { KEYCARD_PORT: 'eighty', KEYCARD_SECRET: 'short' });
    expect(await command.exited).toBe(78);
    const { stderr } = command.output();
    expect(stderr).toContain('KEYCARD_PORT');
    expect(stderr).toContain('KEYCARD_SECRET');
  });
});

describe('keycard migrate', () => {
  it('creates the database and exits 0', async () => {
    const data = tempFolder();
    const command = run(['migrate'], { KEYCARD_DATABASE_URL: `sqlite:${data}/keycard.db` });
    expect(await command.exited).toBe(0);
    expect(statSync(join(data, 'keycard.db')).size).toBeGreaterThan(0);
  });

  it('rejects an unknown command with usage and exit code 2', async () => {
    const command = run(['frobnicate'], {});
    expect(await command.exited).toBe(2);
    expect(command.output().stderr).toContain('Usage: keycard');
  });
});
