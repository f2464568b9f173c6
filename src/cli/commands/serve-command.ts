import { loadConfig } from '../../core/config.js';
import type { Command } from '../command.js';
import { parseCommandLine } from '../parse-command-line.js';
import { loadOrCreateServerSecret } from '../server-secret.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the HTTP server (migrates the database first)',
  help: `Usage: keycard serve

Migrates the database, then serves the HTTP API until SIGTERM or SIGINT (exit 0; 1 if requests in flight
outlived KEYCARD_SHUTDOWN_TIMEOUT). Configuration comes from KEYCARD_* variables; see \`keycard config check\`.
`,
  run: (args) => {
    parseCommandLine(args, {});
    return serve();
  },
};

/** `keycard serve`: migrate, listen, sweep; stop cleanly on SIGTERM or SIGINT. */
async function serve(): Promise<number> {
  const config = loadConfig();
  // Loaded only when serving, so other commands start quickly.
  const [{ createLogger }, { startServer }, { describeDatabaseUrl, openStore }] = await Promise.all([
    import('../../http/create-logger.js'),
    import('../../server.js'),
    import('../../store/open-store.js'),
  ]);
  const logger = createLogger(config.logLevel);
  let secret = config.secret;
  if (secret === undefined) {
    const kept = loadOrCreateServerSecret(config.dataDir);
    secret = kept.secret;
    if (kept.created) {
      logger.warn(
        { path: kept.path },
        'KEYCARD_SECRET is not set: generated a server secret and kept it on disk',
      );
    }
  }
  const store = await openStore(config.databaseUrl, {
    poolSize: config.databasePoolSize,
    onIdleError: (error) => logger.warn({ err: error }, 'database connection lost; the pool will reconnect'),
  });
  const server = await startServer(config, { store, secret, logger });
  process.stdout.write(
    `Keycard is listening on ${server.url}\nData: ${describeDatabaseUrl(config.databaseUrl)}\n` +
      (server.metricsUrl === undefined ? '' : `Metrics: ${server.metricsUrl}\n`),
  );

  const exitCode = await new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal, timeoutSeconds: config.shutdownTimeoutSeconds }, 'shutting down');
      server.stop().then(
        (inTime) => resolve(inTime ? 0 : 1),
        (error: unknown) => {
          logger.error({ err: error }, 'unclean shutdown');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  logger.info({ exitCode }, 'stopped');
  // Everything Keycard opened is closed, so the process ends by itself; should a library still hold a handle,
  // this ends it anyway (unref'd: it never keeps the process alive on its own).
  setTimeout(() => process.exit(exitCode), 2000).unref();
  return exitCode;
}
