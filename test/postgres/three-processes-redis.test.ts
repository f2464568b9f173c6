import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL, within } from '../support/cluster-node.js';
import { PASSWORD, type SignedInJson, type TokensJson, uniqueEmail } from '../support/test-keycard.js';
import { runAdminStatement, TEST_POSTGRES_URL, uniqueSchemaName } from '../support/test-store.js';

const cli = ['--import', 'tsx', join(import.meta.dirname, '../../src/cli/main.ts'), 'serve'];
const database = uniqueSchemaName();
const children: ChildProcess[] = [];
const urls: string[] = [];

function startNode(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, cli, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`node did not start: ${output}`)), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    child.once('exit', (code) => reject(new Error(`node exited with ${code}: ${output}`)));
  });
}

beforeAll(async () => {
  await runAdminStatement(`create database ${database}`);
  const databaseUrl = new URL(TEST_POSTGRES_URL);
  databaseUrl.pathname = `/${database}`;
  const env = {
    KEYCARD_PORT: '0',
    KEYCARD_DATABASE_URL: databaseUrl.toString(),
    KEYCARD_REDIS_URL: TEST_REDIS_URL,
    KEYCARD_REDIS_PREFIX: `${database}:`,
    // Every node must share the secret: it keys the refresh chain.
    KEYCARD_SECRET: randomBytes(32).toString('base64url'),
    KEYCARD_LOG_LEVEL: 'silent',
  };
  // The first node migrates; the others then start on a migrated database.
  urls.push(await startNode(env));
  urls.push(...(await Promise.all([startNode(env), startNode(env)])));
}, 60_000);

afterAll(async () => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) resolve();
          else {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }
        }),
    ),
  );
  await runAdminStatement(`drop database if exists ${database}`);
}, 30_000);

async function call(
  node: number,
  method: string,
  path: string,
  init: { token?: string; body?: unknown } = {},
) {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${urls[node] ?? ''}${path}`, {
    method,
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, json: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
}

describe('three Keycard processes sharing PostgreSQL and Redis', () => {
  it('sign in on one, use on another, refresh on the third, revoke on the first: refused everywhere', async () => {
    const signIn = await call(0, 'POST', '/auth', { body: { email: uniqueEmail(), password: PASSWORD } });
    expect(signIn.status).toBe(201);
    const { tokens } = signIn.json as unknown as SignedInJson;
    expect((await call(1, 'GET', '/me', { token: tokens.access_token })).status).toBe(200);
    expect((await call(2, 'GET', '/me', { token: tokens.access_token })).status).toBe(200);

    const refreshed = await call(2, 'POST', '/session/refresh', {
      body: { refresh_token: tokens.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    const next = (refreshed.json as { tokens: TokensJson }).tokens;
    for (const node of [0, 1, 2]) {
      expect((await call(node, 'GET', '/me', { token: next.access_token })).status).toBe(200);
      await within(
        1000,
        async () => (await call(node, 'GET', '/me', { token: tokens.access_token })).status === 401,
      );
    }

    expect((await call(0, 'POST', '/auth/sign_out', { token: next.access_token })).status).toBe(204);
    for (const node of [1, 2]) {
      await within(
        1000,
        async () => (await call(node, 'GET', '/me', { token: next.access_token })).status === 401,
      );
      const refused = await call(node, 'GET', '/me', { token: next.access_token });
      expect(refused.json).toMatchObject({ error: { code: 'session_revoked', reason: 'sign_out' } });
    }
  });

  it('concurrent refreshes of one token spread over the three nodes leave one live successor', async () => {
    const signIn = await call(1, 'POST', '/auth', { body: { email: uniqueEmail(), password: PASSWORD } });
    const { tokens } = signIn.json as unknown as SignedInJson;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        call(index % 3, 'POST', '/session/refresh', { body: { refresh_token: tokens.refresh_token } }),
      ),
    );
    const successors = new Set<string>();
    for (const result of results) {
      expect(result.status, JSON.stringify(result.json)).toBe(200);
      successors.add((result.json as { tokens: TokensJson }).tokens.refresh_token);
    }
    expect(successors.size).toBe(1);
    const [successor = ''] = successors;
    expect((await call(0, 'POST', '/session/refresh', { body: { refresh_token: successor } })).status).toBe(
      200,
    );
  });
});
