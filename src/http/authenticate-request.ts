import type { FastifyRequest, preHandlerHookHandler } from 'fastify';
import { KeycardError } from '../core/errors.js';
import type { Keycard } from '../keycard.js';
import { looksLikeJwt } from '../tokens/legacy-jwt.js';
import { requestContextOf } from './request-context.js';

const SCHEME = 'bearer';

/**
 * The access token of `Authorization: Bearer <access token>` (the scheme in any case, spaces around the token).
 * Tokens are only ever read from this header: never from a URL, where they would end up in logs and browser
 * history. Parsed by hand, not with a regular expression: it runs on every authenticated request.
 */
function bearerTokenOf(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') throw new KeycardError('token_missing');
  const isBearer =
    header.length > SCHEME.length &&
    header.slice(0, SCHEME.length).toLowerCase() === SCHEME &&
    header.charCodeAt(SCHEME.length) === 0x20;
  if (!isBearer) {
    throw /^bearer\b/i.test(header) ? new KeycardError('token_invalid') : new KeycardError('token_missing');
  }
  const token = header.slice(SCHEME.length + 1).trim();
  if (token === '' || /\s/.test(token)) throw new KeycardError('token_invalid');
  return token;
}

/**
 * A preHandler that requires a valid access token and sets `request.auth`. A callback hook rather than an async
 * one: a session the in-process cache holds and trusts is accepted synchronously, with no promise on the way
 * (the hot path of every authenticated request); anything else goes to `keycard.authenticate`.
 */
export function requireSession(keycard: Keycard): preHandlerHookHandler {
  return authenticateWith(keycard, false);
}

/**
 * Like `requireSession`, but a legacy account's JWT (account version 003, which has no session) is accepted
 * too: it sets `request.legacyUser` instead of `request.auth`. For the routes about the user, not the session.
 */
export function requireSessionOrLegacyToken(keycard: Keycard): preHandlerHookHandler {
  return authenticateWith(keycard, true);
}

function authenticateWith(keycard: Keycard, acceptsLegacy: boolean): preHandlerHookHandler {
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
    if (looksLikeJwt(accessToken)) {
      // Opaque access tokens have one dot; a legacy JWT is refused where a session is needed, with a code that
      // tells the client to sign in (an upgraded account's JWT gets the same from authenticateLegacy).
      keycard.authenticateLegacy(accessToken, requestContextOf(request)).then((user) => {
        if (!acceptsLegacy) {
          done(new KeycardError('session_required'));
          return;
        }
        request.legacyUser = user;
        done();
      }, done);
      return;
    }
    keycard.authenticate(accessToken, requestContextOf(request)).then((auth) => {
      request.auth = auth;
      done();
    }, done);
  };
}
