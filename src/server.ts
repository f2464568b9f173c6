import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { systemClock } from './core/clock.js';
import type { KeycardConfig } from './core/config.js';
import { holdNextTickShapes } from './verify/next-tick-shapes.js';
import { buildApp } from './http/app.js';
import { keycardOptionsFrom } from './keycard-options.js';
import { closeGracefully } from './http/close-gracefully.js';
import { createKeycard, type Keycard } from './keycard.js';
import { buildMetricsApp } from './observability/build-metrics-app.js';
import { createKeycardMetrics, type KeycardMetrics } from './observability/keycard-metrics.js';
import type { SessionSync } from './sessions/session-sync.js';
import type { KeycardStore } from './store/kysely/kysely-store.js';
import { createRedisSessionSync } from './store/redis/create-redis-session-sync.js';
import { createMemoryAttemptCounter } from './rate-limits/create-memory-attempt-counter.js';
import { createRedisAttemptCounter } from './store/redis/create-redis-attempt-counter.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly keycard: Keycard;
  /** The URL it listens on. */
  readonly url: string;
  /** Where `GET /metrics` is served on a port of its own (`KEYCARD_METRICS_PORT`); undefined if not. */
  readonly metricsUrl: string | undefined;
  /**
   * Stops accepting, lets in-flight requests finish within `KEYCARD_SHUTDOWN_TIMEOUT` (then closes their
   * connections), stops background work and closes the store and Redis. Resolves whether every request
   * finished in time.
   */
  stop(): Promise<boolean>;
}

/** Wires Keycard from configuration, starts its background work and listens. */
export async function startServer(
  config: KeycardConfig,
  { store, secret, logger }: { store: KeycardStore; secret: Uint8Array; logger: Logger },
): Promise<RunningServer> {
  // A server may sit idle before its first request; this keeps every request's ticks fast after that (once per
  // process; `keycard serve` has done it at start already).
  holdNextTickShapes();
  const clock = systemClock;
  let lastRedisError = 0;
  // Metrics are off unless an operator said where they may be read: a port of their own or a token.
  const metricsEnabled = config.metricsPort !== undefined || config.metricsToken !== undefined;
  const sync: SessionSync | undefined =
    config.redisUrl === undefined
      ? undefined
      : createRedisSessionSync({
          url: config.redisUrl,
          clock,
          keyPrefix: config.redisKeyPrefix,
          onError: (error) => {
            // Reconnection attempts fail many times a second while Redis is away: say so at most every 10 s.
            if (clock.now() - lastRedisError < 10_000) return;
            lastRedisError = clock.now();
            logger.warn({ err: error }, 'Redis unavailable: serving from the database until it is back');
          },
          ...(metricsEnabled ? { onFeedLag: (lagMs: number) => metrics?.recordFeedLag(lagMs) } : {}),
        });
  const metrics: KeycardMetrics | undefined = metricsEnabled
    ? createKeycardMetrics({
        countSessions: () => store.countSessions(),
        ...(sync === undefined ? {} : { feedListening: () => sync.listeningSince() !== undefined }),
      })
    : undefined;
  if (config.rateLimits === undefined) {
    logger.warn(
      'KEYCARD_RATE_LIMITS=off: no rate limits and no lockouts (meant for load tests and benchmarks)',
    );
  }
  // With Redis, every node counts in the same place; while it is unreachable, each counts on its own.
  const attemptCounter =
    config.rateLimits === undefined || config.redisUrl === undefined
      ? undefined
      : createRedisAttemptCounter({
          url: config.redisUrl,
          keyPrefix: config.redisKeyPrefix,
          fallback: createMemoryAttemptCounter({ clock }),
          onUnavailable: (error) =>
            logger.warn({ err: error }, 'Redis unavailable: rate limits count on this node until it is back'),
        });
  const keycard = createKeycard(
    {
      store,
      clock,
      auditLog: store,
      onAuditLogError: (error) => logger.error({ err: error }, 'audit log write failed'),
      ...(attemptCounter === undefined ? {} : { attemptCounter }),
      ...(sync === undefined ? {} : { sync }),
      ...(metrics === undefined
        ? {}
        : { onEvent: (event) => metrics.recordEvent(event), cacheCounters: metrics.cacheCounters }),
    },
    {
      ...keycardOptionsFrom(config, secret),
      cacheMaxSessions: config.cacheMaxSessions,
      feedDownTrustMs: config.feedDownTrustSeconds * 1000,
      ...(config.cacheMaxStalenessSeconds === undefined
        ? {}
        : { cacheMaxStalenessMs: config.cacheMaxStalenessSeconds * 1000 }),
      ...(config.rateLimits === undefined ? {} : { rateLimits: config.rateLimits }),
    },
  );
  // Signing keys are read (or the first one created) before serving: a secret that cannot open them stops startup.
  await keycard.jwt.ready();
  await keycard.start({
    sweepIntervalMs: config.sweepIntervalSeconds * 1000,
    pollIntervalMs: config.changePollSeconds * 1000,
    onSweep: (result) => {
      if (result.expired > 0 || result.pruned > 0 || (result.auditEventsPruned ?? 0) > 0) {
        logger.info(result, 'swept expired sessions');
      }
    },
    onError: (task, error) => logger.warn({ err: error, task }, 'background task failed; will retry'),
  });
  const metricsOnOwnPort = metrics !== undefined && config.metricsPort !== undefined;
  const app = await buildApp(keycard, {
    logger,
    trustProxy: config.trustProxy,
    serviceKeys: config.serviceKeys,
    trustedOrigins: config.trustedOrigins,
    ...(metrics === undefined ? {} : { metrics }),
    ...(metricsOnOwnPort || config.metricsToken === undefined ? {} : { metricsToken: config.metricsToken }),
  });
  const address = await app.listen({ host: config.host, port: config.port });
  let metricsApp: FastifyInstance | undefined;
  let metricsUrl: string | undefined;
  if (metrics !== undefined && config.metricsPort !== undefined) {
    metricsApp = await buildMetricsApp(metrics, { token: config.metricsToken, logger });
    metricsUrl = `${await metricsApp.listen({ host: config.metricsHost, port: config.metricsPort })}/metrics`;
  }

  return {
    app,
    keycard,
    url: address,
    metricsUrl,
    async stop() {
      const [api] = await Promise.all([
        closeGracefully(app, config.shutdownTimeoutSeconds * 1000),
        metricsApp?.close(),
      ]);
      if (!api.inTime) {
        logger.error(
          { connections: api.connectionsClosed, timeoutSeconds: config.shutdownTimeoutSeconds },
          'shutdown timed out: closed connections with requests still in flight',
        );
      }
      await keycard.close();
      return api.inTime;
    },
  };
}
