import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const cli = ['--import', 'tsx', join(import.meta.dirname, '../../src/cli/main.ts')];
const children: ChildProcess[] = [];
const sockets: Socket[] = [];
const folders: string[] = [];

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const PASSWORD = 'correct horse battery staple';
const EMAIL = 'shutdown@example.com';

/** `keycard serve` on a fresh SQLite database, logging at info to stdout (one JSON line per event). */
function serve(env: Record<string, string> = {}) {
  const folder = mkdtempSync(join(tmpdir(), 'keycard-shutdown-'));
  folders.push(folder);
  const child = spawn(process.execPath, [...cli, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      KEYCARD_PORT: '0',
      KEYCARD_DATABASE_URL: `sqlite:${folder}/keycard.db`,
      KEYCARD_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const count = (message: string) =>
    stdout.split('\n').filter((line) => line.includes(`"msg":"${message}"`)).length;
  return { child, exited, output: () => stdout, count };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function started(server: ReturnType<typeof serve>): Promise<{ url: string; port: number }> {
  await waitFor(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(server.output()), 'the server to listen');
  const url = /listening on (http:\/\/\S+)/.exec(server.output())?.[1] ?? '';
  return { url, port: Number(new URL(url).port) };
}

/**
 * A sign-in whose body is sent but for its last byte: a request the server has accepted and is waiting on,
 * for as long as the test likes. `finish()` sends the last byte and resolves the raw response.
 */
function slowSignIn(port: number) {
  const body = JSON.stringify({ email: EMAIL, password: PASSWORD });
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let response = '';
  socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
  const closed = new Promise<string>((resolve) => {
    socket.on('close', () => resolve(response));
    socket.on('error', () => undefined);
  });
  socket.write(
    `POST /auth/sign_in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body.slice(0, -1)}`,
  );
  return {
    closed,
    finish() {
      socket.write(body.slice(-1));
      return closed;
    },
  };
}

/** Whether a new TCP connection to the port is refused. */
function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

async function register(url: string): Promise<void> {
  const response = await fetch(`${url}/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  expect(response.status).toBe(201);
}

describe('keycard serve on SIGTERM', () => {
  it('refuses new connections, finishes the requests in flight with their normal answer, and exits 0', async () => {
    const server = serve();
    const { url, port } = await started(server);
    await register(url);
    const before = server.count('incoming request');

    // Several sign-ins (argon2, two at a time) and one that waits for its last byte.
    const signIns = Array.from({ length: 4 }, () =>
      fetch(`${url}/auth/sign_in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
      }),
    );
    const slow = slowSignIn(port);
    await waitFor(() => server.count('incoming request') === before + 5, 'the requests to arrive');

    server.child.kill('SIGTERM');
    await waitFor(() => server.count('shutting down') === 1, 'shutdown to start');
    let refused = false;
    const deadline = Date.now() + 2000;
    while (!refused && Date.now() < deadline) refused = await connectionRefused(port);
    expect(refused, 'a new connection was accepted during shutdown').toBe(true);

    const answers = await Promise.all(signIns);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    const raw = await slow.finish();
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(raw).toContain('"access_token"');

    expect(await server.exited).toBe(0);
    expect(server.count('stopped')).toBe(1);
    expect(server.output()).not.toContain('shutdown timed out');
  });

  it('after KEYCARD_SHUTDOWN_TIMEOUT, closes the connections still in flight, says so, and exits 1', async () => {
    const server = serve({ KEYCARD_SHUTDOWN_TIMEOUT: '1' });
    const { url, port } = await started(server);
    await register(url);
    const before = server.count('incoming request');
    const stuck = slowSignIn(port);
    await waitFor(() => server.count('incoming request') === before + 1, 'the request to arrive');

    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(1);
    const elapsed = Date.now() - signalledAt;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(5000);
    expect(server.count('shutdown timed out: closed connections with requests still in flight')).toBe(1);
    expect(await stuck.closed).toBe(''); // closed without an answer
  });
});
