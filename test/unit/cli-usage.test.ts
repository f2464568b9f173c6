import { describe, expect, it } from 'vitest';
import { inBatches, runCli } from '../support/run-cli.js';

// Everything here is refused (or answered) before any database is opened, so it runs once, without one.
const NO_DATABASE = { KEYCARD_DATABASE_URL: 'sqlite:/nonexistent-keycard-dir/keycard.db' };

const COMMANDS = [
  'serve',
  'migrate',
  'config check',
  'users create',
  'users list',
  'users show',
  'users disable',
  'users enable',
  'users events',
  'sessions list',
  'sessions revoke',
  'keys list',
  'keys rotate',
];

describe('keycard --help', { timeout: 60_000 }, () => {
  it('lists every command and the exit codes', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toContain(`  ${command} `);
    expect(result.stdout).toMatch(/^ {2}69 {2}the store is unreachable/m);
    expect(result.stdout).not.toContain('issue 5');
    expect(result.stdout).toContain('by group');
  });

  it('gives every command its own usage on stdout, exit 0', async () => {
    const results = await inBatches(
      COMMANDS.map((command) => () => runCli([...command.split(' '), '--help'], NO_DATABASE)),
    );
    results.forEach((result, index) => {
      expect(result.code).toBe(0);
      expect(result.stdout.startsWith(`Usage: keycard ${COMMANDS[index] ?? ''}`)).toBe(true);
      expect(result.stdout).toContain('Exit codes:');
    });
  });

  it('answers a bare command group with its subcommands and exit 2', async () => {
    const result = await runCli(['sessions']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('sessions revoke');
    expect(result.stderr).not.toContain('users create');
  });
});

describe('keycard usage errors (exit 2)', { timeout: 60_000 }, () => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /unknown command: frobnicate/],
    [['users', 'frob'], /unknown command: users frob/],
    [['keys', 'frob'], /unknown command: keys frob/],
    [['keys', 'rotate', '--frob'], /Unknown option '--frob'/],
    [['migrate', '--frob'], /Unknown option '--frob'/],
    [['config', 'check', '--yes'], /Unknown option '--yes'/],
    [['users', 'list', '--frob'], /Unknown option '--frob'/],
    [['users', 'list', '--limit', '0'], /--limit must be a whole number from 1 to 10000/],
    [['users', 'create', 'ada@example.com'], /no password: .*--password-stdin.*KEYCARD_USER_PASSWORD/],
    [['users', 'create', 'ada@example.com', '--password', 'hunter2hunter2'], /--password is refused.*`ps`/],
    [['users', 'create', '--password-stdin'], /missing argument: <email>/],
    [['users', 'show'], /missing argument: <email\|uuid>/],
    [['users', 'show', 'a@example.com', 'b@example.com'], /unexpected argument: b@example.com/],
    [['users', 'disable'], /missing argument/],
    [['users', 'enable'], /missing argument/],
    [['users', 'events', 'a@example.com', '--limit', '101'], /--limit must be a whole number from 1 to 100/],
    [['users', 'events', 'a@example.com', '--cursor'], /argument missing/],
    [['sessions', 'list'], /name the sessions: --user, --api-version, --group or --all/],
    [['sessions', 'list', '--all', '--user', 'a@example.com'], /--all cannot be combined/],
    [['sessions', 'list', '--api-version', 'latest'], /--api-version must be a version/],
    [['sessions', 'list', '--group', 'fleet 1'], /--group must be a group id/],
    [['sessions', 'list', '--group', 'fleet-1', '--all'], /--all cannot be combined/],
    [['sessions', 'revoke'], /name the sessions/],
    [['sessions', 'revoke', '--all'], /add --yes to confirm/],
    [['sessions', 'revoke', '--session', 'x', '--user', 'a@example.com'], /--session cannot be combined/],
    [['sessions', 'revoke', '--group', 'x'.repeat(65)], /--group must be a group id/],
    [['sessions', 'revoke', '--session', 'x', '--group', 'fleet-1'], /--session cannot be combined/],
  ];

  it('refuses each with a message on stderr and points to --help', async () => {
    const results = await inBatches(
      cases.map(
        ([args]) =>
          () =>
            runCli(args, NO_DATABASE),
      ),
    );
    results.forEach((result, index) => {
      const [args, message] = cases[index] ?? [[], /$^/];
      expect({ args, code: result.code, stderr: result.stderr }).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(message) as string,
      });
      expect(result.stdout).toBe('');
    });
  });

  it('exits 78 naming the variable when the configuration is invalid', async () => {
    const result = await runCli(['users', 'list'], { KEYCARD_ACCESS_TTL: 'forever' });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('KEYCARD_ACCESS_TTL');
  });
});
