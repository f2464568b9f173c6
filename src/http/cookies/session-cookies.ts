import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionTokens } from '../../sessions/session-tokens.js';

/**
 * The access cookie. `__Host-` makes browsers refuse it unless it is `Secure`, has `Path=/` and no `Domain`: no
 * subdomain and no plain-HTTP page can set or shadow it. Browsers count `http://localhost` as secure, so it
 * works there during development too.
 */
export const ACCESS_COOKIE = '__Host-keycard';
/** The refresh cookie, sent only to the refresh endpoint, so it travels as rarely as the token itself. */
export const REFRESH_COOKIE = '__Secure-keycard-refresh';
export const REFRESH_COOKIE_PATH = '/session/refresh';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The request was authenticated, or refreshed, by a session cookie: if its session turns out to be over,
     * the error reply clears the cookies.
     */
    sessionCookieUsed: boolean;
  }
}

/** A cookie of the request's `Cookie` header, parsed only when asked (no hook parses every request's). */
export function cookieOf(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined || !header.includes(name)) return undefined;
  const value = request.server.parseCookie(header)[name];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Hands the tokens out as cookies. Both live until the session would end if unused (its idle expiry, never
 * past its absolute one), and are set again at each refresh. The access cookie outlives its token on purpose:
 * the server then sees an expired token and answers `access_token_expired`, which tells the client to refresh.
 */
export function setSessionCookies(reply: FastifyReply, tokens: SessionTokens): void {
  const maxAge = tokens.refreshExpiresIn;
  const { server } = reply;
  reply.header('set-cookie', [
    server.serializeCookie(ACCESS_COOKIE, tokens.accessToken, attributes('/', maxAge)),
    server.serializeCookie(REFRESH_COOKIE, tokens.refreshToken, attributes(REFRESH_COOKIE_PATH, maxAge)),
  ]);
}

/** Tells the browser to forget both cookies (sign-out, or a session found to be over). */
export function clearSessionCookies(reply: FastifyReply): void {
  const { server } = reply;
  reply.header('set-cookie', [
    server.serializeCookie(ACCESS_COOKIE, '', clearedAttributes('/')),
    server.serializeCookie(REFRESH_COOKIE, '', clearedAttributes(REFRESH_COOKIE_PATH)),
  ]);
}

// Each cookie's attributes are one literal with every key, not a shared object spread with keys added, which
// Node 20's V8 pays for with new hidden classes on every call (see NewSessionFields in start-session.ts).
function attributes(path: string, maxAge: number) {
  return { secure: true, httpOnly: true, sameSite: 'lax', path, maxAge } as const;
}

/** A cleared cookie: `Max-Age=0`, and an `Expires` in 1970 for browsers that ignore `Max-Age`. */
function clearedAttributes(path: string) {
  return { secure: true, httpOnly: true, sameSite: 'lax', path, maxAge: 0, expires: new Date(0) } as const;
}
