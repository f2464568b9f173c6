import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRouteHookHandler,
  preHandlerHookHandler,
  RouteHandlerMethod,
} from 'fastify';
import type { Keycard } from '../keycard.js';
import { resolveRequestApiVersion } from './resolve-api-version.js';

/**
 * What every route does before its handler, put there by an onRoute hook: the response headers every answer
 * carries (`Cache-Control: no-store`, and `Connection: close` once the app is closing: see `closeGracefully`) and
 * the request's API version.
 *
 * It runs at the start of the route's handler rather than as a hook, and so does the route's own preHandler when
 * that is one callback-style function (`requireSession`, on the hot path of every authenticated request): each
 * preHandler costs every request a turn of Fastify's hook runner (three closures), and a route with no preHandler
 * at all skips the runner. Nothing runs between the preHandler stage and the handler, and an error thrown or
 * passed on here reaches Fastify's error handler as it would from a preHandler. Other preHandlers (async, or
 * several) stay preHandlers, after the preamble. Error answers get their headers in `replyWithError`, which every
 * error goes through.
 */
export function routePreamble(keycard: Keycard, isClosing: () => boolean): onRouteHookHandler {
  const prepare = (request: FastifyRequest, reply: FastifyReply): void => {
    reply.header('cache-control', 'no-store');
    if (isClosing()) reply.header('connection', 'close');
    request.apiVersion = resolveRequestApiVersion(keycard, request);
  };
  const preamble: preHandlerHookHandler = (request, reply, done) => {
    try {
      prepare(request, reply);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  };

  return (route) => {
    const own = route.preHandler;
    const handler = route.handler;
    const callbackStyle = callbackPreHandlerOf(own);
    if (own === undefined) {
      route.handler = function preambleThenHandler(request, reply) {
        prepare(request, reply);
        return handler.call(this, request, reply);
      };
    } else if (callbackStyle !== undefined) {
      delete route.preHandler;
      route.handler = preHandlerThen(prepare, callbackStyle, handler);
    } else {
      route.preHandler = [preamble, ...(Array.isArray(own) ? own : [own])];
    }
  };
}

/** A preHandler that calls `done` (at once or later) rather than returning a promise. */
type CallbackPreHandler = (
  this: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  done: (error?: Error | null) => void,
) => void;

/** `hook` if it is one callback-style function (three parameters, not async); else undefined. */
function callbackPreHandlerOf(hook: unknown): CallbackPreHandler | undefined {
  return typeof hook === 'function' && hook.length === 3 && hook.constructor.name !== 'AsyncFunction'
    ? (hook as CallbackPreHandler)
    : undefined;
}

/**
 * A handler that runs `prepare`, then the callback-style preHandler `own`, then `handler`. When `own` calls back
 * at once (a session the in-process cache holds), the handler's result is returned as it is, so Fastify sends it
 * without a turn of the loop. When `own` calls back later, a promise of the handler's result is returned; a
 * handler that answers with `reply.send` and returns nothing then gets the reply returned for it, which Fastify
 * waits on (a promise of undefined would have Fastify send an empty answer first).
 */
function preHandlerThen(
  prepare: (request: FastifyRequest, reply: FastifyReply) => void,
  own: CallbackPreHandler,
  handler: RouteHandlerMethod,
): RouteHandlerMethod {
  return function authenticatedHandler(request, reply) {
    prepare(request, reply);
    // What `own` did before returning: called back (with an error or none), or not yet.
    const early: { calledBack: boolean; failure: Error | undefined } = {
      calledBack: false,
      failure: undefined,
    };
    let resume: ((error?: Error) => void) | undefined;
    own.call(this, request, reply, (error) => {
      const passed = error ?? undefined;
      if (resume !== undefined) {
        resume(passed);
        return;
      }
      early.calledBack = true;
      early.failure = passed;
    });
    if (early.calledBack) {
      if (early.failure !== undefined) throw early.failure;
      // As Fastify does after a preHandler: one that answered itself leaves nothing for the handler to do.
      return reply.sent ? undefined : handler.call(this, request, reply);
    }
    return new Promise<unknown>((resolve, reject) => {
      resume = (error) => {
        if (error !== undefined) {
          reject(error);
          return;
        }
        if (reply.sent) {
          resolve(reply);
          return;
        }
        try {
          const result: unknown = handler.call(this, request, reply);
          resolve(result === undefined ? reply : result);
        } catch (thrown) {
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on as the handler threw it, as Fastify would
          reject(thrown);
        }
      };
    });
  };
}
