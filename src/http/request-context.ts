import type { FastifyRequest } from 'fastify';
import { KeycardError } from '../core/errors.js';
import type { RequestContext } from '../core/keycard-events.js';
import type { SessionUser } from '../accounts/user.js';
import type { AuthenticatedSession } from '../sessions/authenticate-access-token.js';
import type { CachedSession } from '../sessions/session-cache.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API version this request speaks (resolved before the handler runs). */
    apiVersion: string;
    /** The caller, on routes that require a session. */
    auth: AuthenticatedSession | null;
    /** The caller of a legacy JWT (account version 003), on the routes that accept one (`GET /me`). */
    legacyUser: SessionUser | null;
    /** The caller's anonymous session (no user), on the routes that accept one (`GET /me`, sign-out). */
    anonymousSession: CachedSession | null;
  }
}

/** The authenticated caller; only valid on routes guarded by `requireSession`. */
export function callerOf(request: FastifyRequest): AuthenticatedSession {
  if (request.auth === null) throw new KeycardError('token_missing');
  return request.auth;
}

/** The caller's session, a user's or an anonymous one, on routes that take either. */
export function anyCallerOf(request: FastifyRequest): CachedSession {
  return request.auth ?? request.anonymousSession ?? callerOf(request);
}

export function userAgentOf(request: FastifyRequest): string | null {
  const userAgent = request.headers['user-agent'];
  return userAgent === undefined || userAgent === '' ? null : userAgent.slice(0, 1024);
}

/**
 * Where a request came from, for rate limits and the audit log. `request.ip` is the peer's address, or, behind
 * proxies the app was told to trust (`KEYCARD_TRUST_PROXY`), the client address they forwarded.
 */
export function requestContextOf(request: FastifyRequest): RequestContext {
  return { ip: ipOf(request), userAgent: userAgentOf(request) };
}

/**
 * Where an administrator's request came from, and who they are, for the audit log. One literal (not
 * `requestContextOf` spread with `actorUuid` added: see NewSessionFields in start-session.ts).
 */
export function adminRequestContextOf(request: FastifyRequest, actorUuid: string): RequestContext {
  return { ip: ipOf(request), userAgent: userAgentOf(request), actorUuid };
}

function ipOf(request: FastifyRequest): string | null {
  return request.ip === '' ? null : request.ip;
}
