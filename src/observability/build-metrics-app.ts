import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import { KeycardError } from '../core/errors.js';
import { replyWithError } from '../http/error-reply.js';
import type { KeycardMetrics } from './keycard-metrics.js';
import { metricsRoute } from './metrics-route.js';

export interface MetricsAppOptions {
  /** Required as `Authorization: Bearer <token>` when set. */
  readonly token: string | undefined;
  readonly logger?: Logger;
}

/**
 * The app of the metrics port (`KEYCARD_METRICS_PORT`): `GET /metrics` and nothing else, so the port can be
 * opened to the monitoring network without exposing the API there, or the metrics to the API's clients.
 */
export async function buildMetricsApp(
  metrics: KeycardMetrics,
  options: MetricsAppOptions,
): Promise<FastifyInstance> {
  const fastifyOptions: FastifyServerOptions = {
    return503OnClosing: true,
    frameworkErrors: (error, request, reply) => {
      replyWithError(error, request, reply);
    },
  };
  const app = Fastify({
    ...fastifyOptions,
    // Scrapes are frequent and alike: their request lines (info) would drown the API's.
    ...(options.logger === undefined
      ? { logger: false }
      : { loggerInstance: options.logger.child({ listener: 'metrics' }, { level: 'warn' }) }),
  });
  app.setErrorHandler((error, request, reply) => replyWithError(error, request, reply));
  app.setNotFoundHandler((request, reply) => replyWithError(new KeycardError('not_found'), request, reply));
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('cache-control', 'no-store');
    done(null, payload);
  });
  await app.register(metricsRoute(metrics, { token: options.token }));
  return app;
}
