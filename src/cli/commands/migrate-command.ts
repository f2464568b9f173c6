import { loadConfig } from '../../core/config.js';
import type { Command } from '../command.js';
import { isUnreachable } from '../open-admin-keycard.js';
import { StoreUnreachableError } from '../exit-codes.js';
import { parseCommandLine } from '../parse-command-line.js';

/** `keycard migrate`: applies pending migrations and exits (the server also does this at start). */
export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Apply pending database migrations and exit',
  help: `Usage: keycard migrate

Applies pending migrations to KEYCARD_DATABASE_URL (creating a SQLite file if there is none) and exits.
Migrations take a lock, so several nodes may run this at once.
`,
  async run(args) {
    parseCommandLine(args, {});
    const config = loadConfig();
    const { describeDatabaseUrl, openStore } = await import('../../store/open-store.js');
    let store;
    try {
      store = await openStore(config.databaseUrl, { migrate: true, poolSize: 1 });
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      throw new StoreUnreachableError(`cannot reach ${describeDatabaseUrl(config.databaseUrl)}`, {
        cause: error,
      });
    }
    await store.close();
    process.stdout.write(`Migrated ${describeDatabaseUrl(config.databaseUrl)}\n`);
    return 0;
  },
};
