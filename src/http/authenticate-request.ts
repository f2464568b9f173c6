import type { FastifyRequest, preHandlerHookHandler } from 'fastify';
import { KeycardError } from '../core/errors.js';
import type { Keycard } from '../keycard.js';

const BEARER_PATTERN = /^Bearer +(\S+) *$/i;

/**
 * The access token of `Authorization: Bearer <access token>`. Tokens are only ever read from this header:
 * never from a URL, where they would end up in logs and browser history.
 */
function bearerTokenOf(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') throw new KeycardError('token_missing');
  const match = BEARER_PATTERN.exec(header);
  if (match?.[1] === undefined) {
    throw /^bearer\b/i.test(header) ? new KeycardError('token_invalid') : new KeycardError('token_missing');
  }
  return match[1];
}

/**
 * A preHandler that requires a valid access token and sets `request.auth`. A callback hook rather than an async
 * one: a session the in-process cache holds and trusts is accepted synchronously, with no promise on the way
 * (the hot path of every authenticated request); anything else goes to `keycard.authenticate`.
 */
export function requireSession(keycard: Keycard): preHandlerHookHandler {
  return function authenticate(request, _reply, done) {
    let accessToken: string;
    try {
      accessToken = bearerTokenOf(request);
      const cached = keycard.authenticateCached(accessToken);
      if (cached !== undefined) {
        request.auth = cached;
        done();
        return;
      }
    } catch (error) {
      done(error as Error);
      return;
    }
    keycard.authenticate(accessToken).then((auth) => {
      request.auth = auth;
      done();
    }, done);
  };
}
