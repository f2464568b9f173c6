import type { FastifyInstance } from 'fastify';
import { systemClock } from '../../src/core/clock.js';
import { buildApp } from '../../src/http/app.js';
import { createKeycard, type Keycard, type KeycardOptions } from '../../src/keycard.js';
import { createPostgresStore } from '../../src/store/postgres/create-postgres-store.js';
import { createRedisSessionSync } from '../../src/store/redis/create-redis-session-sync.js';
import { testOptions } from './test-keycard.js';
import { dropSchema, TEST_POSTGRES_URL, uniqueSchemaName } from './test-store.js';

export const TEST_REDIS_URL = process.env.KEYCARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface ClusterNode {
  readonly keycard: Keycard;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/** A fresh PostgreSQL schema and Redis key prefix that several in-process nodes can share. */
export interface SharedBackends {
  readonly schema: string;
  readonly redisPrefix: string;
  drop(): Promise<void>;
}

export function sharedBackends(): SharedBackends {
  const schema = uniqueSchemaName();
  return {
    schema,
    redisPrefix: `${schema}:`,
    drop: () => dropSchema(schema),
  };
}

/** One Keycard node on the shared schema, with the real clock; Redis only when `redisUrl` is given. */
export async function startClusterNode(
  backends: SharedBackends,
  { redisUrl, options = {} }: { redisUrl?: string; options?: Partial<KeycardOptions> } = {},
): Promise<ClusterNode> {
  const store = await createPostgresStore({
    connectionString: TEST_POSTGRES_URL,
    schema: backends.schema,
    poolSize: 3,
    onIdleError: () => undefined,
  });
  const sync =
    redisUrl === undefined
      ? undefined
      : createRedisSessionSync({ url: redisUrl, clock: systemClock, keyPrefix: backends.redisPrefix });
  const keycard = createKeycard(
    { store, clock: systemClock, ...(sync === undefined ? {} : { sync }) },
    { ...testOptions, ...options },
  );
  await keycard.start({ sweepIntervalMs: 3_600_000, pollIntervalMs: 0 });
  const app = await buildApp(keycard);
  return {
    keycard,
    app,
    async close() {
      await app.close();
      await keycard.close();
    },
  };
}

/** Polls `check` every few ms until it is true; returns the time it took, or throws after `timeoutMs`. */
export async function within(timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
