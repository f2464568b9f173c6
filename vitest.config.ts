import { Socket } from 'node:net';
import { defineConfig } from 'vitest/config';

/**
 * Store-independent tests (test/unit) run once; every other test runs once per store, as its own Vitest
 * project with KEYCARD_TEST_STORE set. STORES picks the stores (default: all three). PostgreSQL is expected on
 * 127.0.0.1:5432: unreachable on CI (CI=true) fails the run; elsewhere its project is left out with a line
 * saying so. test/postgres holds what needs PostgreSQL itself (and Redis, for several nodes).
 */
const ALL_STORES = ['memory', 'sqlite', 'postgres'] as const;

function reachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

async function storesToTest(): Promise<string[]> {
  const requested = (process.env.STORES ?? ALL_STORES.join(','))
    .split(',')
    .map((store) => store.trim())
    .filter((store) => store !== '');
  const unknown = requested.filter((store) => !(ALL_STORES as readonly string[]).includes(store));
  if (unknown.length > 0) throw new Error(`STORES names unknown stores: ${unknown.join(', ')}`);

  const stores: string[] = [];
  for (const store of requested) {
    if (store === 'postgres' && !(await reachable('127.0.0.1', 5432))) {
      if (process.env.CI === 'true') {
        throw new Error(
          'PostgreSQL is not reachable on 127.0.0.1:5432, and CI=true requires the PostgreSQL suite',
        );
      }
      console.warn('PostgreSQL is not reachable on 127.0.0.1:5432: skipping the postgres store suite');
      continue;
    }
    stores.push(store);
  }
  return stores;
}

const stores = await storesToTest();

/**
 * The multi-node tests and the shared rate-limit counters need Redis as well: required on CI, left out with a
 * line elsewhere.
 */
async function redisTestsExcluded(): Promise<string[]> {
  if (stores.length === 0 || (await reachable('127.0.0.1', 6379))) return [];
  if (process.env.CI === 'true') {
    throw new Error('Redis is not reachable on 127.0.0.1:6379, and CI=true requires the tests that use it');
  }
  console.warn('Redis is not reachable on 127.0.0.1:6379: skipping the tests that use it');
  return ['test/postgres/*redis*.test.ts', 'test/*redis*.test.ts'];
}

const withoutRedis = await redisTestsExcluded();

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      { extends: true as const, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // The account page in a real browser against a real listening server: once, not once per store.
      {
        extends: true as const,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      ...stores.map((store) => ({
        extends: true as const,
        test: {
          name: store,
          include: ['test/**/*.test.ts'],
          // test/postgres holds what only PostgreSQL can show (outages through a proxy, row locks).
          exclude:
            store === 'postgres'
              ? ['test/unit/**', 'test/e2e/**', ...withoutRedis]
              : ['test/unit/**', 'test/e2e/**', 'test/postgres/**', ...withoutRedis],
          env: { KEYCARD_TEST_STORE: store },
        },
      })),
    ],
  },
});
