import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI_TEST_SECRET,
  type CliDatabase,
  type CliServer,
  createCliDatabase,
  runCli,
  startCliServer,
} from '../support/run-cli.js';
import { testStoreKind } from '../support/test-store.js';

const kind = testStoreKind();

interface KeyJson {
  kid: string;
  alg: string;
  state: string;
}

describe.skipIf(kind === 'memory')(`keycard keys (${kind})`, { timeout: 60_000 }, () => {
  let database: CliDatabase | undefined;
  let server: CliServer | undefined;
  let env: Record<string, string> = {};
  const keycard = (args: string[], extra: Record<string, string> = {}) =>
    runCli(args, { ...env, KEYCARD_SECRET: CLI_TEST_SECRET, ...extra });
  const jwks = async () =>
    (await (await fetch(`${server?.url ?? ''}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };

  beforeAll(async () => {
    database = await createCliDatabase(kind);
    env = { KEYCARD_DATABASE_URL: database?.url ?? '' };
    server = await startCliServer(env);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('lists the key the server created on its first start, and never key material', async () => {
    const listed = await keycard(['keys', 'list', '--json']);
    expect(listed.code).toBe(0);
    const { keys } = JSON.parse(listed.stdout) as { keys: KeyJson[] };
    expect(keys).toEqual([expect.objectContaining({ alg: 'EdDSA', state: 'signing' })]);
    expect((await jwks()).keys.map((key) => key.kid)).toEqual([keys[0]?.kid]);
    const table = await keycard(['keys', 'list']);
    expect(table.stdout).toMatch(/^KID\s+ALG\s+STATE/m);
  });

  it('rotates: the new key signs, the old one keeps verifying, and both are published', async () => {
    const before = JSON.parse((await keycard(['keys', 'list', '--json'])).stdout) as { keys: KeyJson[] };
    const rotated = await keycard(['keys', 'rotate', '--json']);
    expect(rotated.code).toBe(0);
    const { kid } = JSON.parse(rotated.stdout) as { kid: string };
    const after = JSON.parse((await keycard(['keys', 'list', '--json'])).stdout) as { keys: KeyJson[] };
    expect(after.keys.map((key) => [key.kid, key.state])).toEqual([
      [kid, 'signing'],
      [before.keys[0]?.kid, 'verifying'],
    ]);
  });

  it('refuses to open the keys under another secret', async () => {
    const wrong = await keycard(['keys', 'list'], {
      KEYCARD_SECRET: 'another-secret-another-secret-0123456789',
    });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('was KEYCARD_SECRET changed?');
  });
});
