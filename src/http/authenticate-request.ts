import type { FastifyRequest, preHandlerHookHandler } from 'fastify';
import { KeycardError } from '../core/errors.js';
import type { Keycard } from '../keycard.js';
import { looksLikeJwt } from '../tokens/legacy-jwt.js';
import { checkCsrf, isSafeMethod } from './cookies/check-csrf.js';
import { ACCESS_COOKIE, cookieOf } from './cookies/session-cookies.js';
import type { TrustedOrigins } from './cookies/trusted-origins.js';
import { requestContextOf } from './request-context.js';
import { hasAccount } from '../sessions/authenticate-access-token.js';
import type { CachedSession } from '../sessions/session-cache.js';
import type { RequestContext } from '../core/keycard-events.js';

const SCHEME = 'bearer';

/**
 * The access token of `Authorization: Bearer <access token>` (the scheme in any case, spaces around the token).
 * Tokens are only ever read from this header or the session cookie: never from a URL, where they would end up
 * in logs and browser history. Parsed by hand, not with a regular expression: it runs on every authenticated
 * request.
 */
export function bearerTokenOf(header: string): string {
  return checkedToken(bearerCandidateOf(header));
}

/**
 * `bearerTokenOf` without its last check, that the token has no white space inside: for the hot path, which asks
 * the in-process cache first and checks the token only when the cache does not take it. The cache takes only a
 * token whose session uuid it holds and whose secret (or signature and whole text) matches one it issued, which
 * no token with white space inside can, so the answer is the same and the pattern runs only on a miss.
 */
function bearerCandidateOf(header: string): string {
  if (header.trim() === '') throw new KeycardError('token_missing');
  const isBearer =
    header.length > SCHEME.length && startsWithScheme(header) && header.charCodeAt(SCHEME.length) === 0x20;
  if (!isBearer) {
    throw /^bearer\b/i.test(header) ? new KeycardError('token_invalid') : new KeycardError('token_missing');
  }
  const token = header.slice(SCHEME.length + 1).trim();
  if (token === '') throw new KeycardError('token_invalid');
  return token;
}

/** The token, if it has no white space inside; else `token_invalid`. */
function checkedToken(token: string): string {
  if (/\s/.test(token)) throw new KeycardError('token_invalid');
  return token;
}

/**
 * Whether `header` starts with `bearer` in any case, compared by character code: `c | 0x20` is the lower case of
 * an ASCII letter, and only `B` and `b` give `b`. No string is made, as `slice().toLowerCase()` would.
 */
function startsWithScheme(header: string): boolean {
  for (let at = 0; at < SCHEME.length; at += 1) {
    if ((header.charCodeAt(at) | 0x20) !== SCHEME.charCodeAt(at)) return false;
  }
  return true;
}

/**
 * The access token of the `__Host-keycard` cookie, for a request without an `Authorization` header. A request
 * that changes state must pass the CSRF check first; its cookies are cleared if the session is found over.
 */
function cookieTokenOf(request: FastifyRequest, origins: TrustedOrigins): string {
  const token = cookieOf(request, ACCESS_COOKIE);
  if (token === undefined) throw new KeycardError('token_missing');
  request.sessionCookieUsed = true;
  if (!isSafeMethod(request.method)) checkCsrf(request, origins);
  return token;
}

/** Which callers a route takes besides users' sessions. */
interface OtherCallers {
  /** A legacy account's JWT (account version 003): sets `request.legacyUser`. */
  readonly legacy?: boolean;
  /** An anonymous session's token (`POST /auth/anonymous`): sets `request.anonymousSession`. */
  readonly anonymous?: boolean;
}

/**
 * A preHandler that requires a valid access token of a user's session and sets `request.auth`; an anonymous
 * session's token gets 403 `account_required`. A callback hook rather than an async one: a session the
 * in-process cache holds and trusts is accepted synchronously, with no promise on the way (the hot path of every
 * authenticated request); anything else goes to `keycard.authenticate`.
 *
 * The token comes from `Authorization: Bearer`, or, when there is no such header and `cookies` is given (the
 * origins browser pages may come from), from the session cookie. Routes without `cookies` take Bearer only.
 * `others` lets a route take an anonymous session's token too (then `request.anonymousSession` is set instead).
 */
export function requireSession(
  keycard: Keycard,
  cookies?: TrustedOrigins,
  others: Pick<OtherCallers, 'anonymous'> = {},
): preHandlerHookHandler {
  return authenticateWith(keycard, others, cookies);
}

/**
 * Like `requireSession`, but a legacy account's JWT (account version 003, which has no session) is accepted
 * too: it sets `request.legacyUser` instead of `request.auth`. For the routes about the user, not the session.
 */
export function requireSessionOrLegacyToken(
  keycard: Keycard,
  cookies?: TrustedOrigins,
  others: Pick<OtherCallers, 'anonymous'> = {},
): preHandlerHookHandler {
  return authenticateWith(keycard, { ...others, legacy: true }, cookies);
}

/** Sets the caller on the request: a user's session as `auth`, an anonymous one as `anonymousSession`. */
function setCaller(request: FastifyRequest, caller: CachedSession): void {
  if (hasAccount(caller)) request.auth = caller;
  else request.anonymousSession = caller;
}

function authenticateWith(
  keycard: Keycard,
  others: OtherCallers,
  cookies: TrustedOrigins | undefined,
): preHandlerHookHandler {
  const acceptsLegacy = others.legacy === true;
  // Routes that need an account ask `authenticate`, which refuses an anonymous session (`account_required`).
  const anonymous = others.anonymous === true;
  const authenticateCached = (token: string): CachedSession | undefined =>
    anonymous ? keycard.authenticateCallerCached(token) : keycard.authenticateCached(token);
  const authenticate = (token: string, context: RequestContext): Promise<CachedSession> =>
    anonymous ? keycard.authenticateCaller(token, context) : keycard.authenticate(token, context);
  return function authenticateRequest(request, _reply, done) {
    let accessToken: string;
    try {
      const header = request.headers.authorization;
      if (header !== undefined) accessToken = bearerCandidateOf(header);
      else if (cookies !== undefined) accessToken = cookieTokenOf(request, cookies);
      else throw new KeycardError('token_missing');
      const cached = authenticateCached(accessToken);
      if (cached !== undefined) {
        setCaller(request, cached);
        done();
        return;
      }
      if (header !== undefined) checkedToken(accessToken);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (looksLikeJwt(accessToken) && !keycard.isAccessJwt(accessToken)) {
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
    authenticate(accessToken, requestContextOf(request)).then((caller) => {
      setCaller(request, caller);
      done();
    }, done);
  };
}
