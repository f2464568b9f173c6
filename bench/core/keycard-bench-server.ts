/**
 * `keycard serve` as the bench runs it: the real server (configuration from the environment), with its store
 * wrapped in a proxy that counts every call by method, so the bench can show which requests reach the database.
 * The parent asks over IPC: send 'store-calls', receive { storeCalls: { method: count } }.
 * Run: taskset -c 0 node --import tsx bench/core/keycard-bench-server.ts (env KEYCARD_*)
 */
import type * as ConfigModule from '../../src/core/config.js';
import type * as LoggerModule from '../../src/http/create-logger.js';
import type * as ServerModule from '../../src/server.js';
import type { KeycardStore } from '../../src/store/kysely/kysely-store.js';
import type * as OpenStoreModule from '../../src/store/open-store.js';
import { fromBuild } from './from-build.js';

// The server under test is the build (`npm run bench` builds first), as `npm start` runs it: code loaded through
// tsx carries esbuild's `__name` wrappers, which cost every closure created on a request path.
const { loadConfig } = await fromBuild<typeof ConfigModule>('core/config.js');
const { createLogger } = await fromBuild<typeof LoggerModule>('http/create-logger.js');
const { startServer } = await fromBuild<typeof ServerModule>('server.js');
const { openStore } = await fromBuild<typeof OpenStoreModule>('store/open-store.js');

const config = loadConfig();
const store = await openStore(config.databaseUrl, { poolSize: config.databasePoolSize });
const storeCalls: Record<string, number> = {};

function countCalls(target: KeycardStore): KeycardStore {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        storeCalls[property] = (storeCalls[property] ?? 0) + 1;
        return (value as (...parameters: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}

const secret = config.secret ?? Buffer.alloc(32, 7);
const server = await startServer(config, {
  store: countCalls(store),
  secret,
  logger: createLogger('silent'),
});
process.stdout.write(`listening on ${server.url}\n`);
process.on('message', (message) => {
  if (message === 'store-calls') process.send?.({ storeCalls });
});
// The parent going away (a crash, Ctrl-C) must not leave a server behind.
process.on('disconnect', () => process.exit(0));
process.once('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
