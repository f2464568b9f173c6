import { loadConfig } from '../core/config.js';
import { describeDatabaseUrl, openStore } from '../store/open-store.js';

/** `keycard migrate`: applies pending migrations and exits (the server also does this at start). */
export async function migrateCommand(): Promise<number> {
  const config = loadConfig();
  const store = await openStore(config.databaseUrl, { migrate: true, poolSize: 1 });
  await store.close();
  process.stdout.write(`Migrated ${describeDatabaseUrl(config.databaseUrl)}\n`);
  return 0;
}
