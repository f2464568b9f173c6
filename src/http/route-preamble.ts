import type { FastifyReply, FastifyRequest, onRouteHookHandler, preHandlerHookHandler } from 'fastify';
import type { Keycard } from '../keycard.js';
import { resolveRequestApiVersion } from './resolve-api-version.js';

/**
 * What every route does before its handler, as an onRoute hook that puts it in front of each route's own
 * preHandler: the response headers every answer carries (`Cache-Control: no-store`, and `Connection: close` once
 * the app is closing: see `closeGracefully`) and the request's API version.
 *
 * Done per route rather than as app-wide preHandler and onSend hooks because each hook costs every request a turn
 * of Fastify's hook runner: a route whose own preHandler is one callback-style function (`requireSession`, on the
 * hot path of every authenticated request) gets a single function doing both. Error answers get their headers in
 * `replyWithError`, which every error goes through.
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
    if (own === undefined) {
      route.preHandler = preamble;
    } else if (typeof own === 'function' && own.length === 3 && own.constructor.name !== 'AsyncFunction') {
      route.preHandler = function preambleThen(request, reply, done) {
        try {
          prepare(request, reply);
        } catch (error) {
          done(error as Error);
          return;
        }
        void own.call(this, request, reply, done);
      };
    } else {
      route.preHandler = [preamble, ...(Array.isArray(own) ? own : [own])];
    }
  };
}
