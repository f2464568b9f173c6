import type { FastifyRequest } from 'fastify';
import type { Keycard } from '../keycard.js';
import type { AnonymousOrigin } from '../sessions/start-session.js';
import { looksLikeJwt } from '../tokens/legacy-jwt.js';
import { bearerTokenOf } from './authenticate-request.js';
import { checkCsrf } from './cookies/check-csrf.js';
import { ACCESS_COOKIE, cookieOf } from './cookies/session-cookies.js';
import type { TrustedOrigins } from './cookies/trusted-origins.js';
import { requestContextOf } from './request-context.js';

/**
 * The anonymous session a registration or sign-in came with, to carry over (see `findAnonymousOrigin`): its
 * access token in `Authorization: Bearer`, or, without that header, in the session cookie. Anything that is not
 * a live anonymous session's token (a user's session, a malformed, expired or revoked token) is no origin, and
 * the sign-in goes on as if none had been sent.
 *
 * An anonymous session found by cookie is only carried over by a request that passes the CSRF check: otherwise
 * another site could sign a visitor's browser in to the attacker's account and take the visitor's anonymous
 * session (and what an app keeps under its id) with it. Such a request gets `csrf_rejected`.
 */
export async function anonymousOriginOf(
  request: FastifyRequest,
  keycard: Keycard,
  cookies: TrustedOrigins,
): Promise<AnonymousOrigin | undefined> {
  const header = request.headers.authorization;
  let accessToken: string | undefined;
  if (header === undefined) {
    accessToken = cookieOf(request, ACCESS_COOKIE);
  } else {
    try {
      accessToken = bearerTokenOf(header);
    } catch {
      return undefined; // a malformed header: no token to carry over
    }
  }
  // A legacy account's JWT (version 003) belongs to no session at all.
  if (accessToken === undefined || (looksLikeJwt(accessToken) && !keycard.isAccessJwt(accessToken))) {
    return undefined;
  }
  const origin = await keycard.findAnonymousOrigin(accessToken, requestContextOf(request));
  if (origin !== undefined && header === undefined) checkCsrf(request, cookies);
  return origin;
}
