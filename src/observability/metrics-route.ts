import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { KeycardError } from '../core/errors.js';
import type { KeycardMetrics } from './keycard-metrics.js';

const BEARER_PATTERN = /^Bearer +(\S+) *$/i;

export interface MetricsRouteOptions {
  /** Required as `Authorization: Bearer <token>`; undefined for none (only on a port of its own). */
  readonly token: string | undefined;
}

/**
 * `GET /metrics` in Prometheus' text format. Left out of the OpenAPI document: it is for operators, not clients.
 * The token is compared in constant time, as SHA-256 digests, so neither its content nor its length leaks.
 */
export function metricsRoute(metrics: KeycardMetrics, options: MetricsRouteOptions): FastifyPluginAsync {
  const expected = options.token === undefined ? undefined : digest(options.token);
  const authorize = (request: FastifyRequest) => {
    if (expected === undefined) return;
    const header = request.headers.authorization;
    if (header === undefined || header.trim() === '') throw new KeycardError('token_missing');
    const presented = BEARER_PATTERN.exec(header)?.[1];
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      throw new KeycardError('token_invalid');
    }
  };

  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async functions
  return async (app) => {
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      authorize(request);
      const body = await metrics.exposition();
      return reply.type(metrics.contentType).send(body);
    });
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
