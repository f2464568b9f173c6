import type { FastifyRequest } from 'fastify';
import { KeycardError } from '../../core/errors.js';
import { isTrustedOrigin, type TrustedOrigins } from './trusted-origins.js';

/** The custom header a page must add: a cross-site page can only add it after a CORS preflight we approve. */
export const CSRF_HEADER = 'x-keycard-csrf';

/**
 * Refuses (`csrf_rejected`) a request that sends or uses session cookies unless a page of a trusted origin
 * made it on purpose. Cookies go with every request to Keycard, whichever page starts it, so a cookie alone
 * proves nothing. Three checks, each enough against a different attack:
 *  - `X-Keycard-CSRF: 1`: forms and simple cross-site requests cannot add a header; a script of another origin
 *    can only after a preflight, which CORS answers for trusted origins alone.
 *  - a JSON body, or none: a form or a `text/plain` body (which need no preflight) is refused outright.
 *  - `Origin` (or, without it, `Sec-Fetch-Site: same-origin`) names a trusted origin; a request with neither
 *    cannot show where it came from and is refused, as browsers send one of them on every such request.
 */
export function checkCsrf(request: FastifyRequest, origins: TrustedOrigins): void {
  if (request.headers[CSRF_HEADER] !== '1') throw rejected('the X-Keycard-CSRF: 1 header is missing');
  const contentType = request.headers['content-type'];
  if (contentType !== undefined && !/^application\/json\s*(;|$)/i.test(contentType)) {
    throw rejected('only JSON bodies are accepted with cookies');
  }
  const origin = request.headers.origin;
  if (origin !== undefined) {
    if (isTrustedOrigin(request, origins, origin)) return;
    throw rejected('the Origin is not trusted');
  }
  if (request.headers['sec-fetch-site'] !== 'same-origin')
    throw rejected('the request shows no trusted origin');
}

function rejected(why: string): KeycardError {
  return new KeycardError('csrf_rejected', { message: `Refused: ${why}.` });
}

/** Methods that never change state; everything else authenticated by cookie goes through `checkCsrf`. */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}
