import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliDatabase, createCliDatabase, runCli } from '../support/run-cli.js';
import { testStoreKind } from '../support/test-store.js';

// A command line reaches a database from another process: SQLite files and PostgreSQL, not the memory store.
const kind = testStoreKind();
const PASSWORD = 'correct horse battery staple';

describe.skipIf(kind === 'memory')(`keycard roles (${kind})`, { timeout: 60_000 }, () => {
  let database: CliDatabase | undefined;
  let env: Record<string, string> = {};
  const keycard = (args: string[], stdin?: string) => runCli(args, env, stdin === undefined ? {} : { stdin });

  beforeAll(async () => {
    database = await createCliDatabase(kind);
    env = { KEYCARD_DATABASE_URL: database?.url ?? '' };
    expect((await keycard(['migrate'])).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await database?.drop();
  });

  it('makes the first admin, manages roles, and refuses bad names and the last admin’s demotion', async () => {
    const email = `roles-${process.pid}@example.com`;
    expect((await keycard(['users', 'create', email, '--password-stdin'], `${PASSWORD}\n`)).code).toBe(0);

    const first = await keycard(['roles', 'assign', 'admin', email, '--json']);
    expect(first.stderr).toBe('');
    expect(JSON.parse(first.stdout)).toEqual({ roles: ['admin'], permissions: ['keycard:admin'] });

    expect((await keycard(['roles', 'create', 'editor', '--description', 'Edits notes'])).code).toBe(0);
    const granted = await keycard(['roles', 'grant', 'editor', 'notes:write', '--json']);
    expect(JSON.parse(granted.stdout)).toEqual({ name: 'editor', permissions: ['notes:write'] });
    expect((await keycard(['roles', 'assign', 'editor', email])).code).toBe(0);
    const listed = JSON.parse((await keycard(['roles', 'list', '--json'])).stdout) as {
      roles: { name: string; permissions: string[] }[];
    };
    expect(listed.roles.map((role) => [role.name, role.permissions])).toEqual([
      ['admin', ['keycard:admin']],
      ['editor', ['notes:write']],
    ]);

    const demote = await keycard(['roles', 'unassign', 'admin', email]);
    expect(demote.code).toBe(1);
    expect(demote.stderr).toContain('last_admin');
    const duplicate = await keycard(['roles', 'create', 'editor']);
    expect([duplicate.code, duplicate.stderr.includes('name_taken')]).toEqual([1, true]);
    const badName = await keycard(['roles', 'create', 'Not A Role']);
    expect([badName.code, badName.stderr.includes('invalid_request')]).toEqual([1, true]);
    const badPermission = await keycard(['roles', 'grant', 'editor', 'notes']);
    expect([badPermission.code, badPermission.stderr.includes('invalid_request')]).toEqual([1, true]);
    const unknownRole = await keycard(['roles', 'assign', 'nobody', email]);
    expect([unknownRole.code, unknownRole.stderr.includes('role_not_found')]).toEqual([1, true]);
    expect((await keycard(['roles', 'assign', 'admin'])).code).toBe(2);
    expect((await keycard(['roles', 'delete', 'admin'])).code).toBe(1);

    expect((await keycard(['roles', 'revoke', 'editor', 'notes:write'])).code).toBe(0);
    expect((await keycard(['roles', 'delete', 'editor'])).code).toBe(0);
    const after = JSON.parse((await keycard(['roles', 'list', '--json'])).stdout) as { roles: unknown[] };
    expect(after.roles).toHaveLength(1);
  });

  it('two processes demoting the last two administrators at once: one is refused, one administrator is left', async () => {
    const emails = [`first-${process.pid}@example.com`, `second-${process.pid}@example.com`];
    for (const email of emails) {
      expect((await keycard(['users', 'create', email, '--password-stdin'], `${PASSWORD}\n`)).code).toBe(0);
      expect((await keycard(['roles', 'assign', 'admin', email])).code).toBe(0);
    }
    // The first test's administrator is still one: take that role away first (two are left).
    expect((await keycard(['roles', 'unassign', 'admin', `roles-${process.pid}@example.com`])).code).toBe(0);

    const results = await Promise.all(emails.map((email) => keycard(['roles', 'unassign', 'admin', email])));
    expect(results.map((result) => result.code).sort()).toEqual([0, 1]);
    expect(results.find((result) => result.code === 1)?.stderr).toContain('last_admin');
    // The refused one is the administrator left, and the last: demoting them again is refused too.
    const kept = emails[results.findIndex((result) => result.code === 1)] ?? '';
    const again = await keycard(['roles', 'unassign', 'admin', kept]);
    expect([again.code, again.stderr.includes('last_admin')]).toEqual([1, true]);
  });
});
