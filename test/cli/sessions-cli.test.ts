import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliDatabase,
  type CliServer,
  createCliDatabase,
  eventually,
  runCli,
  startCliServer,
} from '../support/run-cli.js';
import { testStoreKind } from '../support/test-store.js';
import { openStore } from '../../src/store/open-store.js';

// A command line reaches a database from another process: SQLite files and PostgreSQL, not the memory store.
const kind = testStoreKind();
const PASSWORD = 'correct horse battery staple';

interface SessionJson {
  uuid: string;
  user_uuid: string | null;
  anonymous_id: string | null;
  api_version: string;
  expires_at: string;
  remember: boolean;
}

describe.skipIf(kind === 'memory')(`keycard sessions (${kind})`, { timeout: 60_000 }, () => {
  let database: CliDatabase | undefined;
  let server: CliServer | undefined;
  let env: Record<string, string> = {};
  let emails = 0;
  const keycard = (args: string[]) => runCli(args, env);

  beforeAll(async () => {
    database = await createCliDatabase(kind);
    env = { KEYCARD_DATABASE_URL: database?.url ?? '', KEYCARD_SESSION_GROUPS: 'fleet-1,fleet-2' };
    server = await startCliServer(env);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  async function post(path: string, body: unknown): Promise<Response> {
    return fetch(`${server?.url ?? ''}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }
  const me = (token: string) =>
    fetch(`${server?.url ?? ''}/me`, { headers: { authorization: `Bearer ${token}` } });

  /** A new user signed in once per API version given; their access tokens. */
  async function userWithSessions(...versions: string[]) {
    const email = `sessions${(emails += 1)}-${process.pid}@example.com`;
    const [first = '20200115', ...others] = versions;
    const registered = (await (await post('/auth', { email, password: PASSWORD, api: first })).json()) as {
      user: { uuid: string };
      session: { uuid: string };
      tokens: { access_token: string };
    };
    const tokens = [registered.tokens.access_token];
    for (const api of others) {
      const signedIn = (await (await post('/auth/sign_in', { email, password: PASSWORD, api })).json()) as {
        tokens: { access_token: string };
      };
      tokens.push(signedIn.tokens.access_token);
    }
    return { email, uuid: registered.user.uuid, firstSession: registered.session.uuid, tokens };
  }
  const listed = async (args: string[]) => {
    const result = await keycard(['sessions', 'list', ...args, '--json']);
    expect(result.code).toBe(0);
    return (JSON.parse(result.stdout) as { sessions: SessionJson[] }).sessions;
  };
  const revoked = async (args: string[]) => {
    const result = await keycard(['sessions', 'revoke', ...args, '--json']);
    expect(result.stderr).toBe('');
    return (JSON.parse(result.stdout) as { revoked: number }).revoked;
  };
  const refusedWith = async (token: string) => {
    await eventually(async () => (await me(token)).status === 401);
    return ((await (await me(token)).json()) as { error: { code: string; reason?: string } }).error;
  };

  it('lists sessions by user, by API version and all, as a table or JSON', async () => {
    const ada = await userWithSessions('20200115', '20190520');
    const bob = await userWithSessions('20190520');
    const byUser = await listed(['--user', ada.email]);
    expect(byUser.map((session) => session.api_version).sort()).toEqual(['20190520', '20200115']);
    expect(byUser.every((session) => session.user_uuid === ada.uuid)).toBe(true);
    expect((await listed(['--user', ada.uuid, '--api-version', '20190520'])).length).toBe(1);
    const old = await listed(['--api-version', '20190520']);
    expect(old.map((session) => session.user_uuid)).toEqual(expect.arrayContaining([ada.uuid, bob.uuid]));
    expect(old.every((session) => session.api_version === '20190520')).toBe(true);
    expect((await listed(['--all'])).length).toBeGreaterThanOrEqual(3);
    expect(await listed(['--all', '--limit', '1'])).toHaveLength(1);

    const table = await keycard(['sessions', 'list', '--user', bob.email]);
    expect(table.stdout).toMatch(/^UUID\s+USER_UUID\s+API_VERSION\s+UPDATED_AT\s+EXPIRES_AT$/m);
    expect(table.stdout).toContain(bob.uuid);
    const unknown = await keycard(['sessions', 'list', '--user', 'nobody@example.com']);
    expect(unknown).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/no user nobody@example.com/) as string,
    });
  });

  it('revokes one session, and its token is refused with reason revoked_by_admin', async () => {
    const ada = await userWithSessions('20200115', '20200115');
    expect(await revoked(['--session', ada.firstSession])).toBe(1);
    expect(await refusedWith(ada.tokens[0] ?? '')).toEqual(
      expect.objectContaining({ code: 'session_revoked', reason: 'revoked_by_admin' }),
    );
    expect((await me(ada.tokens[1] ?? '')).status).toBe(200);
    const again = await keycard(['sessions', 'revoke', '--session', ada.firstSession]);
    expect(again).toMatchObject({ code: 1, stderr: expect.stringMatching(/no live session/) as string });
  });

  it('revokes by user and by API version, printing how many', async () => {
    const ada = await userWithSessions('20200115', '20190520');
    const bob = await userWithSessions('20200115');
    const byUser = await keycard(['sessions', 'revoke', '--user', ada.email]);
    expect(byUser).toMatchObject({ code: 0, stdout: 'Revoked 2 sessions.\n' });
    await refusedWith(ada.tokens[1] ?? '');
    expect((await me(bob.tokens[0] ?? '')).status).toBe(200);

    const carol = await userWithSessions('20190520', '20200115');
    expect(await revoked(['--api-version', '20190520'])).toBeGreaterThanOrEqual(1);
    await refusedWith(carol.tokens[0] ?? '');
    expect((await me(carol.tokens[1] ?? '')).status).toBe(200);
    expect(await listed(['--api-version', '20190520'])).toEqual([]);
  });

  it('lists anonymous sessions with no user and their anonymous id, and revokes them', async () => {
    const started = (await (await post('/auth/anonymous', {})).json()) as {
      session: { uuid: string; anonymous_id: string };
      tokens: { access_token: string };
    };
    const all = await listed(['--all']);
    expect(all.find((session) => session.uuid === started.session.uuid)).toMatchObject({
      user_uuid: null,
      anonymous_id: started.session.anonymous_id,
    });
    const table = await keycard(['sessions', 'list', '--all']);
    expect(table.stdout).toMatch(new RegExp(`^${started.session.uuid}\\s+anonymous\\s`, 'm'));
    expect(await revoked(['--session', started.session.uuid])).toBe(1);
    expect(await refusedWith(started.tokens.access_token)).toEqual(
      expect.objectContaining({ code: 'session_revoked', reason: 'revoked_by_admin' }),
    );
  });

  it('lists and revokes sessions by group; --group alone also bumps the group stamp', async () => {
    const email = `grouped${(emails += 1)}-${process.pid}@example.com`;
    const signIn = async (group?: string) => {
      const body = { email, password: PASSWORD, ...(group === undefined ? {} : { group }) };
      const response = await post('/auth/sign_in', body);
      expect(response.status).toBe(200);
      return (await response.json()) as { session: { uuid: string }; tokens: { access_token: string } };
    };
    expect((await post('/auth', { email, password: PASSWORD })).status).toBe(201);
    const ungrouped = await signIn();
    const [first, second] = [await signIn('fleet-1'), await signIn('fleet-1')];
    const other = await signIn('fleet-2');
    const inFleet1 = [first, second].map((signedIn) => signedIn.session.uuid).sort();

    expect((await listed(['--group', 'fleet-1'])).map((session) => session.uuid).sort()).toEqual(inFleet1);
    expect((await listed(['--group', 'fleet-2', '--user', email])).map((session) => session.uuid)).toEqual([
      other.session.uuid,
    ]);
    // A well-formed group nobody is in (or one taken off KEYCARD_SESSION_GROUPS): nothing, not an error.
    expect(await listed(['--group', 'fleet-3'])).toEqual([]);

    const before = Date.now();
    expect(await revoked(['--group', 'fleet-1'])).toBe(2);
    for (const signedIn of [first, second]) {
      expect(await refusedWith(signedIn.tokens.access_token)).toEqual(
        expect.objectContaining({ code: 'session_revoked', reason: 'revoked_by_admin' }),
      );
    }
    expect((await me(ungrouped.tokens.access_token)).status).toBe(200);
    expect((await me(other.tokens.access_token)).status).toBe(200);
    expect(await listed(['--group', 'fleet-1'])).toEqual([]);

    // Narrowed by user, a revocation is not the whole group's: no group stamp.
    expect(await revoked(['--group', 'fleet-2', '--user', email])).toBe(1);
    const store = await openStore(env.KEYCARD_DATABASE_URL ?? '', { migrate: false });
    try {
      const groupStamps = (await store.listStampsSince(before - 1000, 100)).filter(
        (stamp) => stamp.scope === 'group',
      );
      expect(groupStamps.map((stamp) => stamp.subject)).toEqual(['fleet-1']);
    } finally {
      await store.close();
    }
  });

  it('revokes every session with --all --yes', async () => {
    const dave = await userWithSessions('20200115');
    const count = await revoked(['--all', '--yes']);
    expect(count).toBeGreaterThanOrEqual(1);
    await refusedWith(dave.tokens[0] ?? '');
    expect(await listed(['--all'])).toEqual([]);
    expect((await keycard(['sessions', 'list', '--all'])).stdout).toBe('No live sessions.\n');
  });

  it('--all bumps the global stamp: a JWT of a running JWT server gets claims_stale, an opaque token session_revoked', async () => {
    const jwtServer = await startCliServer({ ...env, KEYCARD_ACCESS_TOKEN_FORMAT: 'jwt' });
    try {
      const email = `jwt${(emails += 1)}-${process.pid}@example.com`;
      const registered = await fetch(`${jwtServer.url}/auth`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      const jwt = ((await registered.json()) as { tokens: { access_token: string } }).tokens.access_token;
      expect(jwt.startsWith('eyJ')).toBe(true);
      const meAt = (url: string, token: string) =>
        fetch(`${url}/me`, { headers: { authorization: `Bearer ${token}` } });
      expect((await meAt(jwtServer.url, jwt)).status).toBe(200);
      const opaque = await userWithSessions('20200115');
      const before = Date.now();

      expect(await revoked(['--all', '--yes'])).toBeGreaterThanOrEqual(2);

      // The JWT server hears the stamp at its change poll; the stamp is checked before the session is looked
      // up, so claims_stale (not session_revoked) says the global stamp moved, not only the sessions.
      await eventually(async () => (await meAt(jwtServer.url, jwt)).status === 401);
      const refused = (await (await meAt(jwtServer.url, jwt)).json()) as { error: { code: string } };
      expect(refused.error.code).toBe('claims_stale');
      expect(await refusedWith(opaque.tokens[0] ?? '')).toEqual(
        expect.objectContaining({ code: 'session_revoked', reason: 'revoked_by_admin' }),
      );
      const store = await openStore(env.KEYCARD_DATABASE_URL ?? '', { migrate: false });
      try {
        const stamps = await store.listStampsSince(before - 1000, 100);
        expect(stamps.filter((stamp) => stamp.scope === 'global').map((stamp) => stamp.validAfter)).toEqual([
          expect.any(Number),
        ]);
      } finally {
        await store.close();
      }
      // Whoever signs in after it is not affected.
      const again = await fetch(`${jwtServer.url}/auth/sign_in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      const fresh = ((await again.json()) as { tokens: { access_token: string } }).tokens.access_token;
      expect((await meAt(jwtServer.url, fresh)).status).toBe(200);
    } finally {
      await jwtServer.stop();
    }
  });
});
