import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import { KeycardError } from '../core/errors.js';
import type { Keycard } from '../keycard.js';
import { instrumentRequests } from '../observability/instrument-requests.js';
import type { KeycardMetrics } from '../observability/keycard-metrics.js';
import { metricsRoute } from '../observability/metrics-route.js';
import { accountPageRoutes } from './account-page/account-page-routes.js';
import { trackClosing } from './close-gracefully.js';
import { CSRF_HEADER } from './cookies/check-csrf.js';
import { TRANSPORT_HEADER } from './cookies/cookie-transport.js';
import { trustedOrigins as trustedOriginsOf } from './cookies/trusted-origins.js';
import { docsRoutes } from './docs/docs-routes.js';
import { registerOpenApi } from './docs/register-openapi.js';
import { replyWithError } from './error-reply.js';
import { routePreamble } from './route-preamble.js';
import { authRoutes } from './routes/auth-routes.js';
import { eventsRoutes } from './routes/events-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { meRoutes } from './routes/me-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import { audienceTokenRoutes } from './routes/audience-token-routes.js';
import { revocationRoutes } from './routes/revocation-routes.js';
import { wellKnownRoutes } from './routes/well-known-routes.js';
import { elevationRoutes } from './routes/elevation-routes.js';
import { accountRoutes } from './routes/account-routes.js';
import { adminRoutes } from './routes/admin-routes.js';

/** Request bodies above this are refused with 413 before they are parsed. */
export const BODY_LIMIT_BYTES = 16 * 1024;

export interface AppOptions {
  /** A pino logger; none logs nothing. */
  readonly logger?: Logger;
  /** Times every request into these metrics; none, no timing. */
  readonly metrics?: KeycardMetrics;
  /**
   * Serves `GET /metrics` on this app, behind `Authorization: Bearer <metricsToken>`. Without a token the
   * metrics are not served here: an auth server's API port never shows them to anyone who asks.
   */
  readonly metricsToken?: string;
  /**
   * Addresses and CIDR ranges of proxies whose `X-Forwarded-For` is believed, so rate limits and the audit log
   * see clients' addresses rather than the load balancer's. None: the peer is the client.
   */
  readonly trustProxy?: readonly string[];
  /** Keys other services present for the revocation stream and introspection (`KEYCARD_SERVICE_KEYS`). */
  readonly serviceKeys?: readonly string[];
  /** How often an idle revocation stream sends a keepalive comment (ms); default 2000. */
  readonly revocationHeartbeatMs?: number;
  /**
   * Origins other than Keycard's own whose pages may use it with cookies (`KEYCARD_TRUSTED_ORIGINS`): the CSRF
   * check accepts them and CORS answers them, with credentials. None: only Keycard's own pages.
   */
  readonly trustedOrigins?: readonly string[];
}

/**
 * Builds the HTTP app around a Keycard without listening, so tests drive it with `inject()` and `server.ts`
 * decides where it listens.
 */
export async function buildApp(keycard: Keycard, options: AppOptions = {}): Promise<FastifyInstance> {
  const fastifyOptions: FastifyServerOptions = {
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: requestIdGenerator(),
    ...trustProxyOption(options.trustProxy),
    // Validation must refuse, not repair: unknown fields and wrong types are errors, never stripped or coerced.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
    return503OnClosing: true,
    // Errors Fastify meets before routing (a badly encoded URL) get Keycard's error body too, not Fastify's.
    frameworkErrors: (error, request, reply) => {
      replyWithError(error, request, reply);
    },
  };
  const app = Fastify({
    ...fastifyOptions,
    ...loggerOptions(options.logger),
  }).withTypeProvider<TypeBoxTypeProvider>();

  // JSON only: without this, text/plain bodies would be parsed and reach validation instead of getting a 415.
  app.removeContentTypeParser(['text/plain']);
  // Many clients send `Content-Type: application/json` on every request, body or not. An empty JSON body is no
  // body: routes that take none accept it, routes that need one refuse it in validation (`invalid_request`).
  // Anything else goes to Fastify's own parser, which refuses __proto__ and constructor.prototype keys.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') done(null, undefined);
    else void parseJson(request, text, done);
  });
  app.decorate('keycard', keycard);
  app.decorateRequest('apiVersion', '');
  app.decorateRequest('auth', null);
  app.decorateRequest('legacyUser', null);
  app.decorateRequest('anonymousSession', null);
  app.decorateRequest('sessionCookieUsed', false);
  // Cookies are parsed only where a route reads them (`cookieOf`), not by a hook on every request: Bearer
  // requests, the hot path, never pay for it. `serializeCookie` and `parseCookie` are what is used.
  await app.register(fastifyCookie, { hook: false });
  const origins = trustedOriginsOf(options.trustedOrigins);
  // CORS only when other origins are trusted: its hook would otherwise cost every request for nothing, and
  // without it a preflight gets a 404, which browsers take as a refusal. Never `*`: credentials need a name.
  if (origins.others.size > 0) {
    await app.register(fastifyCors, {
      origin: [...origins.others],
      credentials: true,
      methods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-api-version', CSRF_HEADER, TRANSPORT_HEADER],
      // What a client acts on: when to retry after `rate_limited`, and why a token was refused.
      exposedHeaders: ['retry-after', 'www-authenticate'],
      maxAge: 600,
    });
  }

  app.setErrorHandler((error, request, reply) => replyWithError(error, request, reply));
  app.setNotFoundHandler((request, reply) => replyWithError(new KeycardError('not_found'), request, reply));
  // Every answer is about one caller: nothing may be kept by a shared cache, and token responses not at all.
  // Once the app is closing, every answer also ends its connection (see `closeGracefully`). Both, and the API
  // version, are set at the start of each route's handler, before its preHandler (see routePreamble; errors get
  // the headers in `replyWithError`).
  app.addHook('onRoute', routePreamble(keycard, trackClosing(app)));

  if (options.metrics !== undefined) instrumentRequests(app, options.metrics.requestDurations);
  await registerOpenApi(app);
  await app.register(authRoutes(keycard, origins));
  await app.register(sessionRoutes(keycard, origins));
  await app.register(meRoutes(keycard, origins));
  await app.register(elevationRoutes(keycard, origins));
  await app.register(accountRoutes(keycard, origins));
  await app.register(adminRoutes(keycard));
  await app.register(healthRoutes(keycard));
  await app.register(eventsRoutes(keycard, origins));
  await app.register(wellKnownRoutes(keycard));
  await app.register(audienceTokenRoutes(keycard));
  await app.register(
    revocationRoutes(keycard, {
      serviceKeys: options.serviceKeys ?? [],
      ...(options.revocationHeartbeatMs === undefined ? {} : { heartbeatMs: options.revocationHeartbeatMs }),
    }),
  );
  await app.register(docsRoutes());
  await app.register(accountPageRoutes());
  if (options.metrics !== undefined && options.metricsToken !== undefined) {
    await app.register(metricsRoute(options.metrics, { token: options.metricsToken }));
  }
  return app;
}

function trustProxyOption(trustProxy: AppOptions['trustProxy']): Pick<FastifyServerOptions, 'trustProxy'> {
  return trustProxy === undefined || trustProxy.length === 0 ? {} : { trustProxy: [...trustProxy] };
}

/**
 * A silent logger writes no line, yet Fastify would still give every request a child logger and log calls to
 * make: with it, requests pay for nothing (about a tenth of the `GET /me` rate in the bench).
 */
function loggerOptions(logger: Logger | undefined): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  return logger === undefined || logger.level === 'silent' ? { logger: false } : { loggerInstance: logger };
}

/**
 * Request ids for log lines: a random prefix per process and a counter, so the ids of several nodes don't
 * collide. A random UUID per request cost a few percent of the `GET /me` rate in the bench, for nothing more.
 */
function requestIdGenerator(): () => string {
  const prefix = randomBytes(6).toString('base64url');
  let next = 0;
  return () => `${prefix}-${(next++).toString(36)}`;
}
