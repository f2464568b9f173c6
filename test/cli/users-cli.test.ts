import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliDatabase,
  type CliServer,
  createCliDatabase,
  eventually,
  inBatches,
  runCli,
  startCliServer,
} from '../support/run-cli.js';
import { testStoreKind } from '../support/test-store.js';

// A command line reaches a database from another process: SQLite files and PostgreSQL, not the memory store.
const kind = testStoreKind();
const PASSWORD = 'correct horse battery staple';

interface UserJson {
  uuid: string;
  email: string;
  version: string;
  created_at: string;
  disabled_at: string | null;
}

describe.skipIf(kind === 'memory')(`keycard users (${kind})`, { timeout: 60_000 }, () => {
  let database: CliDatabase | undefined;
  let env: Record<string, string> = {};
  let emails = 0;
  const email = () => `cli${(emails += 1)}-${process.pid}@example.com`;
  const keycard = (args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) =>
    runCli(args, { ...env, ...options.env }, options.stdin === undefined ? {} : { stdin: options.stdin });

  beforeAll(async () => {
    database = await createCliDatabase(kind);
    env = { KEYCARD_DATABASE_URL: database?.url ?? '' };
    expect((await keycard(['migrate'])).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await database?.drop();
  });

  async function createUser(address: string): Promise<UserJson> {
    const created = await keycard(['users', 'create', address, '--password-stdin', '--json'], {
      stdin: `${PASSWORD}\n`,
    });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    return JSON.parse(created.stdout) as UserJson;
  }

  it('creates an account from a password on stdin, normalising the email, and lists and shows it', async () => {
    const address = email();
    const user = await createUser(`  ${address.toUpperCase()} `);
    expect(user).toMatchObject({ email: address, version: '004', disabled_at: null });

    const table = await keycard(['users', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^UUID\s+EMAIL\s+CREATED_AT\s+DISABLED_AT$/m);
    expect(table.stdout).toContain(address);
    const listed = JSON.parse((await keycard(['users', 'list', '--json'])).stdout) as { users: UserJson[] };
    expect(listed.users.map((listedUser) => listedUser.uuid)).toContain(user.uuid);

    for (const name of [address, user.uuid]) {
      const shown = await keycard(['users', 'show', name, '--json']);
      expect(shown.code).toBe(0);
      expect(JSON.parse(shown.stdout)).toEqual({ ...user, live_sessions: 0 });
      expect(shown.stdout).not.toContain('argon2');
    }
  });

  it('takes the password from KEYCARD_USER_PASSWORD, and pages the list by email', async () => {
    const first = email();
    const created = await keycard(['users', 'create', first], { env: { KEYCARD_USER_PASSWORD: PASSWORD } });
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(first);
    const page = JSON.parse((await keycard(['users', 'list', '--limit', '1', '--json'])).stdout) as {
      users: UserJson[];
    };
    expect(page.users).toHaveLength(1);
    const next = JSON.parse(
      (await keycard(['users', 'list', '--after', page.users[0]?.email ?? '', '--json'])).stdout,
    ) as { users: UserJson[] };
    expect(next.users.map((user) => user.email)).not.toContain(page.users[0]?.email);
  });

  it('creates a legacy account (003) and upgrades it to 004', async () => {
    const address = email();
    const created = await keycard(
      ['users', 'create', address, '--password-stdin', '--account-version', '003', '--json'],
      { stdin: PASSWORD },
    );
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ email: address, version: '003' });
    const upgraded = await keycard(['users', 'upgrade', address]);
    expect(upgraded).toMatchObject({ code: 0, stdout: `${address} is on account version 004.\n` });
    const shown = JSON.parse((await keycard(['users', 'show', address, '--json'])).stdout) as UserJson;
    expect(shown.version).toBe('004');
    const bad = await keycard(['users', 'create', email(), '--password-stdin', '--account-version', '002'], {
      stdin: PASSWORD,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--account-version must be one of 003, 004/);
    expect((await keycard(['users', 'upgrade', 'nobody@example.com'])).code).toBe(1);
  });

  it('refuses what the store must judge with exit 1 and says why', async () => {
    const taken = email();
    await createUser(taken);
    // Usage errors that need no database are in test/unit/cli-usage.test.ts, run once.
    const cases: [string[], string | undefined, RegExp][] = [
      [
        ['users', 'create', 'not-an-email', '--password-stdin'],
        PASSWORD,
        /invalid_request: email is not a valid/,
      ],
      [['users', 'create', email(), '--password-stdin'], 'short\n', /password_too_weak: .*at least 8/],
      [['users', 'create', email(), '--password-stdin'], 'password1\n', /password_too_weak: .*most common/],
      [['users', 'create', taken, '--password-stdin'], PASSWORD, /email_taken/],
      [['users', 'show', 'nobody@example.com'], undefined, /no user nobody@example\.com/],
      [['users', 'show', 'not an email'], undefined, /invalid_request/],
      [['users', 'disable', 'nobody@example.com'], undefined, /no user/],
      [['users', 'enable', '00000000-0000-4000-8000-000000000000'], undefined, /no user/],
      [['users', 'events', 'nobody@example.com'], undefined, /no user/],
      [['users', 'events', taken, '--cursor', 'garbage'], undefined, /invalid_request/],
    ];
    const results = await inBatches(
      cases.map(
        ([args, stdin]) =>
          () =>
            keycard(args, stdin === undefined ? {} : { stdin }),
      ),
    );
    results.forEach((result, index) => {
      const [args, , message] = cases[index] ?? [[], undefined, /$^/];
      expect({ args, code: result.code, stderr: result.stderr }).toMatchObject({
        code: 1,
        stderr: expect.stringMatching(message) as string,
      });
    });
    expect((await keycard(['users', 'list'])).stdout).not.toContain('not-an-email');
  });

  it('exits 69 when the database is unreachable, without creating a SQLite file', async () => {
    const unreachable =
      kind === 'sqlite'
        ? 'sqlite:/nonexistent-keycard-dir/keycard.db'
        : 'postgres://postgres@127.0.0.1:1/none';
    const result = await runCli(['users', 'list'], { KEYCARD_DATABASE_URL: unreachable });
    expect(result.code).toBe(69);
    expect(result.stderr).toMatch(/store is unreachable/);
  });

  describe('against a running server', () => {
    let server: CliServer | undefined;
    beforeAll(async () => {
      server = await startCliServer(env);
    }, 30_000);
    afterAll(async () => {
      await server?.stop();
    });

    const post = (path: string, body: unknown, token?: string) =>
      fetch(`${server?.url ?? ''}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify(body),
      });
    const me = (token: string) =>
      fetch(`${server?.url ?? ''}/me`, { headers: { authorization: `Bearer ${token}` } });

    it('disable revokes every session at once and refuses sign-in like a wrong password; enable lifts it', async () => {
      const address = email();
      const user = await createUser(address);
      const signedIn = (await (
        await post('/auth/sign_in', { email: address, password: PASSWORD })
      ).json()) as {
        tokens: { access_token: string; refresh_token: string };
      };
      expect((await me(signedIn.tokens.access_token)).status).toBe(200);

      const disabled = await keycard(['users', 'disable', address, '--json']);
      expect(disabled.code).toBe(0);
      const result = JSON.parse(disabled.stdout) as { user: UserJson; sessions_revoked: number };
      expect(result.sessions_revoked).toBe(1);
      expect(result.user.disabled_at).not.toBeNull();

      // The server hears of it by its change poll (2 s by default, on SQLite too).
      await eventually(async () => (await me(signedIn.tokens.access_token)).status === 401);
      const refused = (await (await me(signedIn.tokens.access_token)).json()) as { error: object };
      expect(refused.error).toMatchObject({ code: 'session_revoked', reason: 'user_disabled' });
      const refresh = await post('/session/refresh', { refresh_token: signedIn.tokens.refresh_token });
      expect(refresh.status).toBe(401);
      const signIn = await post('/auth/sign_in', { email: address, password: PASSWORD });
      const wrongPassword = await post('/auth/sign_in', { email: address, password: `${PASSWORD}!` });
      expect(signIn.status).toBe(401);
      expect(await signIn.json()).toEqual(await wrongPassword.json());
      expect((await keycard(['users', 'list'])).stdout).toMatch(
        new RegExp(`${address}\\s+\\S+\\s+20\\d\\d-`),
      );

      const enabled = await keycard(['users', 'enable', user.uuid]);
      expect(enabled).toMatchObject({ code: 0, stdout: `Enabled ${address}.\n` });
      expect((await post('/auth/sign_in', { email: address, password: PASSWORD })).status).toBe(200);
      expect((await me(signedIn.tokens.access_token)).status).toBe(401);
    });

    it("pages a user's audit events, newest first, with the revocation's reason", async () => {
      const address = email();
      await createUser(address);
      for (let attempt = 0; attempt < 2; attempt += 1) {
        expect((await post('/auth/sign_in', { email: address, password: PASSWORD })).status).toBe(200);
      }
      expect((await keycard(['users', 'disable', address])).stdout).toBe(
        `Disabled ${address}; revoked 2 sessions.\n`,
      );
      // The server writes its audit events in the background: wait until both sign-ins are in.
      interface EventsJson {
        events: { type: string; reason: string | null; occurred_at: string }[];
        next_cursor: string | null;
      }
      let all: EventsJson = { events: [], next_cursor: null };
      await eventually(async () => {
        all = JSON.parse((await keycard(['users', 'events', address, '--json'])).stdout) as EventsJson;
        return all.events.length === 5;
      });
      expect(all.events.map((event) => [event.type, event.reason])).toEqual([
        ['revoked', 'user_disabled'],
        ['revoked', 'user_disabled'],
        ['user_disabled', null],
        ['created', null],
        ['created', null],
      ]);
      const first = JSON.parse(
        (await keycard(['users', 'events', address, '--limit', '3', '--json'])).stdout,
      ) as EventsJson;
      expect(first.events).toHaveLength(3);
      expect(first.next_cursor).not.toBeNull();
      const rest = await keycard(['users', 'events', address, '--cursor', first.next_cursor ?? '']);
      expect(rest.code).toBe(0);
      expect(rest.stdout).toMatch(/^OCCURRED_AT\s+TYPE\s+DETAIL\s+SESSION_UUID\s+IP\s+ACTOR$/m);
      expect(rest.stdout.trim().split('\n')).toHaveLength(3);
      expect(rest.stdout).toContain('created');
    });
  });
});
