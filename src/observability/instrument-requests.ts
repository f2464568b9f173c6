import type { FastifyInstance, onResponseHookHandler } from 'fastify';
import type { RequestDurations, RouteDurations } from './request-durations.js';

/** The `route` label of requests that matched no route: their URLs are the client's, not ours to count by. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Times every request into `durations` by method, route pattern and status. Call before any route is registered.
 *
 * Each route gets its own `onResponse` hook holding its histograms, so a request costs a map lookup by status
 * and nothing is allocated (reading `request.routeOptions` would build an object per request).
 */
export function instrumentRequests(app: FastifyInstance, durations: RequestDurations): void {
  app.addHook('onRoute', (routeOptions) => {
    const methods = Array.isArray(routeOptions.method) ? routeOptions.method : [routeOptions.method];
    const byMethod = new Map<string, RouteDurations>(
      methods.map((method) => [method, durations.forRoute(method, routeOptions.url)]),
    );
    const observe: onResponseHookHandler = (request, reply, done) => {
      const route = byMethod.get(request.method) ?? durations.forRoute(request.method, routeOptions.url);
      route.observe(reply.statusCode, reply.elapsedTime / 1000);
      done();
    };
    const existing = routeOptions.onResponse;
    routeOptions.onResponse =
      existing === undefined ? [observe] : [...(Array.isArray(existing) ? existing : [existing]), observe];
  });

  // Requests no route matched (404s, and URLs Fastify could not parse) share one series per method.
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) {
      durations.forRoute(request.method, UNMATCHED_ROUTE).observe(reply.statusCode, reply.elapsedTime / 1000);
    }
    done();
  });
}
