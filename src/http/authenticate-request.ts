import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { KeycardError } from '../core/errors.js';
import type { Keycard } from '../keycard.js';

const BEARER_PATTERN = /^Bearer +(\S+) *$/i;

/**
 * A preHandler that requires `Authorization: Bearer <access token>`. Tokens are only ever read from this header:
 * never from a URL, where they would end up in logs and browser history.
 */
export function requireSession(keycard: Keycard): preHandlerAsyncHookHandler {
  return async function authenticate(request: FastifyRequest) {
    const header = request.headers.authorization;
    if (header === undefined || header.trim() === '') throw new KeycardError('token_missing');
    const match = BEARER_PATTERN.exec(header);
    if (match?.[1] === undefined) {
      throw /^bearer\b/i.test(header) ? new KeycardError('token_invalid') : new KeycardError('token_missing');
    }
    request.auth = await keycard.authenticate(match[1]);
  };
}
