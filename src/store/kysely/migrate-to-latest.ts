import { type Kysely, type Migration, type MigrationResult, Migrator } from 'kysely';
import { accountsAndSessions } from './migrations/0001-accounts-and-sessions.js';
import { rotationIndex } from './migrations/0002-rotation-index.js';
import { sessionEvents } from './migrations/0003-session-events.js';
import { userDisabled } from './migrations/0004-user-disabled.js';
import { claimsStamps } from './migrations/0005-claims-stamps.js';
import { rolesAndPermissions } from './migrations/0006-roles-and-permissions.js';
import { signingKeys } from './migrations/0008-signing-keys.js';
import { partialSessionIndexes } from './migrations/0009-partial-session-indexes.js';
import { anonymousSessions } from './migrations/0010-anonymous-sessions.js';
import { auditActors } from './migrations/0011-audit-actors.js';

/** Every migration, in order. Names are frozen once released. */
export const keycardMigrations: Readonly<Record<string, Migration>> = {
  '0001-accounts-and-sessions': accountsAndSessions,
  '0002-rotation-index': rotationIndex,
  '0003-session-events': sessionEvents,
  '0004-user-disabled': userDisabled,
  '0005-claims-stamps': claimsStamps,
  '0006-roles-and-permissions': rolesAndPermissions,
  '0008-signing-keys': signingKeys,
  '0009-partial-session-indexes': partialSessionIndexes,
  '0010-anonymous-sessions': anonymousSessions,
  '0011-audit-actors': auditActors,
};

/**
 * Applies every pending migration; throws with the failing migration's name if one fails. With `schema`, the
 * migrations' own bookkeeping tables live in (and are looked up in) that schema only, so stores in different
 * schemas of one database never mistake each other's tables for their own.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  { schema }: { schema?: string } = {},
): Promise<MigrationResult[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(keycardMigrations) },
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  let { error, results = [] } = await migrator.migrateToLatest();
  // Before it runs anything, Kysely's Migrator looks for its own tables by introspecting every table of the
  // database (PostgreSQL: pg_get_serial_sequence on each, by name). A schema another client drops meanwhile (test
  // runs sharing a database do) fails that lookup with 42P01, 42703 or 3F000 although nothing here went wrong: nothing
  // has run then, so it is tried again, a few times.
  for (
    let attempt = 1;
    attempt < 5 && error !== undefined && failedBeforeAnyMigration(error, results);
    attempt += 1
  ) {
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    ({ error, results = [] } = await migrator.migrateToLatest());
  }
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed`, { cause: error });
  }
  return results;
}

/** The Migrator's introspection met a relation or schema dropped meanwhile, before any migration ran. */
function failedBeforeAnyMigration(error: unknown, results: readonly MigrationResult[]): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return (
    (code === '42P01' || code === '42703' || code === '3F000') &&
    results.every((result) => result.status === 'NotExecuted')
  );
}
