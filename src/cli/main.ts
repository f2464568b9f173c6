#!/usr/bin/env node
import { ConfigError } from '../core/config.js';
import { isKeycardError } from '../core/errors.js';
import type { Command } from './command.js';
import { configCheckCommand } from './commands/config-check-command.js';
import { keysListCommand } from './commands/keys-list-command.js';
import { keysRotateCommand } from './commands/keys-rotate-command.js';
import { migrateCommand } from './commands/migrate-command.js';
import { serveCommand } from './commands/serve-command.js';
import { sessionsListCommand } from './commands/sessions-list-command.js';
import { sessionsRevokeCommand } from './commands/sessions-revoke-command.js';
import { usersCreateCommand } from './commands/users-create-command.js';
import { usersDisableCommand } from './commands/users-disable-command.js';
import { usersEnableCommand } from './commands/users-enable-command.js';
import { usersEventsCommand } from './commands/users-events-command.js';
import { usersListCommand } from './commands/users-list-command.js';
import { usersShowCommand } from './commands/users-show-command.js';
import { usersUpgradeCommand } from './commands/users-upgrade-command.js';
import { rolesAssignCommand, rolesUnassignCommand } from './commands/roles-assign-command.js';
import { rolesCreateCommand } from './commands/roles-create-command.js';
import { rolesDeleteCommand } from './commands/roles-delete-command.js';
import { rolesGrantCommand, rolesRevokeCommand } from './commands/roles-grant-command.js';
import { rolesListCommand } from './commands/roles-list-command.js';
import { CommandFailedError, ExitCode, StoreUnreachableError, UsageError } from './exit-codes.js';
import { isUnreachable } from './open-admin-keycard.js';
import { holdNextTickShapes } from '../verify/next-tick-shapes.js';

// First, before the process can sit idle: see next-tick-shapes.ts.
holdNextTickShapes();

const commands: readonly Command[] = [
  serveCommand,
  migrateCommand,
  configCheckCommand,
  usersCreateCommand,
  usersListCommand,
  usersShowCommand,
  usersDisableCommand,
  usersEnableCommand,
  usersUpgradeCommand,
  usersEventsCommand,
  sessionsListCommand,
  sessionsRevokeCommand,
  keysListCommand,
  keysRotateCommand,
  rolesListCommand,
  rolesCreateCommand,
  rolesDeleteCommand,
  rolesGrantCommand,
  rolesRevokeCommand,
  rolesAssignCommand,
  rolesUnassignCommand,
];

const exitCodes = `Exit codes:
  0   done
  1   refused or not found (unknown user or session, email taken, weak password, invalid email)
  2   usage: unknown command or option, missing argument or selector
  69  the store is unreachable (or the SQLite file does not exist)
  70  unexpected error (a bug; the stack is printed)
  78  invalid configuration (each bad KEYCARD_* variable is named)
`;

function usage(group?: string): string {
  const shown = commands.filter((command) => group === undefined || command.name.startsWith(`${group} `));
  const width = Math.max(...shown.map((command) => command.name.length));
  return `Usage: keycard ${group ?? '<command>'} ${group === undefined ? '' : '<subcommand> '}[options]

Commands:
${shown.map((command) => `  ${command.name.padEnd(width)}   ${command.summary}`).join('\n')}

Run \`keycard <command> --help\` for a command's options. Commands that print records take --json.
Configuration comes from KEYCARD_* environment variables; see \`keycard config check\` and the README.

${exitCodes}`;
}

const wantsHelp = (args: readonly string[]) => args.includes('--help') || args.includes('-h');

async function main(argv: readonly string[]): Promise<number> {
  const [first, second] = argv;
  if (first === undefined || first === 'help' || wantsHelp(argv.slice(0, 1))) {
    (first === undefined ? process.stderr : process.stdout).write(usage());
    return first === undefined ? ExitCode.usage : ExitCode.ok;
  }
  const single = commands.find((command) => command.name === first);
  const nested = commands.find((command) => command.name === `${first} ${second ?? ''}`);
  const command = single ?? nested;
  const isGroup = commands.some((candidate) => candidate.name.startsWith(`${first} `));
  if (command === undefined) {
    if (isGroup && (second === undefined || wantsHelp([second]))) {
      (second === undefined ? process.stderr : process.stdout).write(usage(first));
      return second === undefined ? ExitCode.usage : ExitCode.ok;
    }
    const unknown = isGroup ? `${first} ${second ?? ''}` : first;
    process.stderr.write(`keycard: unknown command: ${unknown}\n\n${usage(isGroup ? first : undefined)}`);
    return ExitCode.usage;
  }
  const args = argv.slice(command.name.split(' ').length);
  if (wantsHelp(args)) {
    process.stdout.write(`${command.help}\n${exitCodes}`);
    return ExitCode.ok;
  }
  try {
    return await command.run(args);
  } catch (error) {
    return reportFailure(command, error);
  }
}

/** Says what went wrong on stderr, and which exit code that is. */
function reportFailure(command: Command, error: unknown): number {
  const say = (message: string) => process.stderr.write(`keycard ${command.name}: ${message}\n`);
  if (error instanceof UsageError) {
    say(`${error.message}\nRun \`keycard ${command.name} --help\` for usage.`);
    return ExitCode.usage;
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    return ExitCode.config;
  }
  if (error instanceof StoreUnreachableError || isUnreachable(error)) {
    say(`the store is unreachable: ${error instanceof Error ? error.message : String(error)}`);
    return ExitCode.unavailable;
  }
  if (error instanceof CommandFailedError) {
    say(error.message);
    return ExitCode.failed;
  }
  if (isKeycardError(error)) {
    say(`${error.code}: ${error.message}`);
    return ExitCode.failed;
  }
  say(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return ExitCode.software;
}

process.exitCode = await main(process.argv.slice(2));
