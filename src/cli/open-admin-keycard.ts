import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { systemClock } from '../core/clock.js';
import { type KeycardConfig, loadConfig } from '../core/config.js';
import { isKeycardError } from '../core/errors.js';
import type { Keycard } from '../keycard.js';
import { keycardOptionsFrom } from '../keycard-options.js';
import { isPostgresUnavailable } from '../store/postgres/postgres-errors.js';
import { CommandFailedError, StoreUnreachableError } from './exit-codes.js';
import { loadOrCreateServerSecret, SECRET_FILE_NAME } from './server-secret.js';

/**
 * Runs `operation` with a Keycard on the configured store, for the administration commands, and closes it
 * after (which also writes the audit events the operation recorded).
 *
 * The store is migrated first, as `keycard serve` does, except that a SQLite file that does not exist is refused
 * rather than created: `keycard users list` with a mistyped path must not leave an empty database behind.
 * With `KEYCARD_REDIS_URL` set, revocations are announced on the change feed, so running nodes drop the sessions
 * at once; without it they learn of them by their change poll (`KEYCARD_CHANGE_POLL`).
 */
export async function withAdminKeycard<T>(
  operation: (keycard: Keycard, config: KeycardConfig) => Promise<T>,
  { needsServerSecret = false }: { needsServerSecret?: boolean } = {},
): Promise<T> {
  const config = loadConfig();
  const keycard = await openAdminKeycard(config, needsServerSecret ? serverSecretOf(config) : undefined);
  try {
    return await operation(keycard, config);
  } finally {
    await keycard.close();
  }
}

/**
 * The server's own secret, for commands that open what it sealed (signing keys): `KEYCARD_SECRET`, else the file
 * `keycard serve` keeps in the data folder. Never created here.
 */
function serverSecretOf(config: KeycardConfig): Uint8Array {
  if (config.secret !== undefined) return config.secret;
  const path = join(config.dataDir, SECRET_FILE_NAME);
  if (!existsSync(path)) {
    throw new CommandFailedError(
      `no server secret: set KEYCARD_SECRET, or run \`keycard serve\` once to create ${resolve(path)}`,
    );
  }
  return loadOrCreateServerSecret(config.dataDir).secret;
}

async function openAdminKeycard(config: KeycardConfig, serverSecret?: Uint8Array): Promise<Keycard> {
  // Loaded here, not at the top: `--help` and usage errors should not wait for drivers and the domain to load.
  const [{ createKeycard }, { describeDatabaseUrl, openStore }] = await Promise.all([
    import('../keycard.js'),
    import('../store/open-store.js'),
  ]);
  const where = describeDatabaseUrl(config.databaseUrl);
  const sqlitePath = config.databaseUrl.startsWith('sqlite:')
    ? config.databaseUrl.slice('sqlite:'.length)
    : undefined;
  if (sqlitePath !== undefined && sqlitePath !== ':memory:' && !existsSync(resolve(sqlitePath))) {
    throw new StoreUnreachableError(
      `no database at ${resolve(sqlitePath)}: run \`keycard migrate\` first, or check KEYCARD_DATABASE_URL`,
    );
  }
  let store;
  try {
    store = await openStore(config.databaseUrl, { poolSize: 2, onIdleError: () => undefined });
  } catch (error) {
    if (isUnreachable(error)) throw new StoreUnreachableError(`cannot reach ${where}`, { cause: error });
    throw error;
  }
  const sync =
    config.redisUrl === undefined
      ? undefined
      : (await import('../store/redis/create-redis-session-sync.js')).createRedisSessionSync({
          url: config.redisUrl,
          clock: systemClock,
          keyPrefix: config.redisKeyPrefix,
        });
  const keycard = createKeycard(
    { store, auditLog: store, ...(sync === undefined ? {} : { sync }) },
    // Administration issues no token and derives nothing from the secret, so when none is configured a
    // throwaway one does (rather than creating the server's secret file as a side effect).
    keycardOptionsFrom(config, serverSecret ?? config.secret ?? randomBytes(32)),
  );
  // Connects to the change feed (when there is one); no sweep or poll runs in a command's short life.
  if (sync !== undefined) await keycard.start({ sweepIntervalMs: 86_400_000, pollIntervalMs: 0 });
  return keycard;
}

/** Whether `error`, or anything in its chain of causes, says the store could not be reached. */
export function isUnreachable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause !== undefined && depth < 10; depth += 1) {
    if (isKeycardError(cause, 'store_unavailable') || isPostgresUnavailable(cause)) return true;
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return false;
}
