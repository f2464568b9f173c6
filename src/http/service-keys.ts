import { createHash, timingSafeEqual } from 'node:crypto';
import type { preHandlerHookHandler } from 'fastify';
import { KeycardError } from '../core/errors.js';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * A preHandler requiring `Authorization: Bearer <service key>` with one of `KEYCARD_SERVICE_KEYS`. Compared as
 * SHA-256 digests in constant time, against every key (no early exit), so timing tells nothing about a key's
 * length or which key came close. With no keys configured every request is refused.
 */
export function requireServiceKey(serviceKeys: readonly string[]): preHandlerHookHandler {
  const digests = serviceKeys.map(digest);
  return (request, _reply, done) => {
    const header = request.headers.authorization ?? '';
    const presented = /^bearer /i.test(header) ? header.slice('bearer '.length).trim() : '';
    const presentedDigest = digest(presented);
    let matched = false;
    for (const candidate of digests) matched = timingSafeEqual(candidate, presentedDigest) || matched;
    done(presented !== '' && matched ? undefined : new KeycardError('service_key_invalid'));
  };
}
