#!/usr/bin/env node
import { ConfigError } from '../core/config.js';
import { migrateCommand } from './migrate-command.js';
import { serveCommand } from './serve-command.js';

const usage = `Usage: keycard <command>

Commands:
  serve     Run the HTTP server (migrates the database first)
  migrate   Apply pending database migrations and exit

Configuration comes from KEYCARD_* environment variables; see the README.
`;

const commands: Record<string, () => Promise<number>> = { serve: serveCommand, migrate: migrateCommand };

async function main(argv: readonly string[]): Promise<number> {
  const [name] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined || argv.includes('--help')) {
    process.stderr.write(command === undefined ? `Unknown command: ${name}\n\n${usage}` : usage);
    return command === undefined ? 2 : 0;
  }
  try {
    return await command();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 78; // EX_CONFIG
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
