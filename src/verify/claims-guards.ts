import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JwtClaims } from './jwt-claims.js';
import { type FastifyLikeReply, refusalOf, type Refusal, type VerifiedRequest } from './middleware.js';

/** Why a guard refused: Keycard's codes, with Keycard's statuses and messages. */
export type GuardRefusalCode = 'token_missing' | 'permission_denied' | 'elevation_required';

/**
 * A check of a verified token's claims (after `expressVerifier`, `fastifyVerifier` or `nodeHttpAuthenticator`),
 * and the same check as middleware for each of them. It reads the token alone: `perms`, `roles`, `elv`. The
 * verifier has already refused tokens made stale by a change since (`claims_stale`, from the feed), so what they
 * say is current within the feed's delay.
 */
export interface ClaimsGuard {
  /** The refusal, or undefined when the claims pass. No claims (no verifier ran before): 401 `token_missing`. */
  check(claims: JwtClaims | undefined): GuardRefusal | undefined;
  /** Express-style middleware (`(req, res, next)`): `next()`, or answers the refusal. */
  readonly express: (
    request: IncomingMessage & VerifiedRequest,
    response: ServerResponse,
    next: (error?: unknown) => void,
  ) => void;
  /** A Fastify `preHandler` hook, after `fastifyVerifier`: passes, or answers the refusal. */
  readonly fastify: (
    request: { readonly headers: object } & VerifiedRequest,
    reply: FastifyLikeReply,
  ) => Promise<void>;
  /** For plain `node:http`: true when the claims pass; else answers the refusal and returns false. */
  nodeHttp(claims: JwtClaims | undefined, response: ServerResponse): boolean;
}

/** A refusal as it is answered: Keycard's error shape, `{"error": {"code", "message", …}}`. */
export interface GuardRefusal extends Refusal {
  readonly code: GuardRefusalCode;
}

const MESSAGES = {
  permission_denied: 'The caller lacks the permission this needs.',
  elevation_required: 'This needs an elevated session: confirm your password at POST /session/elevate.',
} as const;

function forbidden(
  code: 'permission_denied' | 'elevation_required',
  details: Record<string, string> = {},
): GuardRefusal {
  return {
    code,
    status: 403,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify({ error: { code, message: MESSAGES[code], ...details } }),
  };
}

function guardOf(passes: (claims: JwtClaims) => GuardRefusal | undefined): ClaimsGuard {
  const check = (claims: JwtClaims | undefined): GuardRefusal | undefined =>
    claims === undefined ? { ...refusalOf(undefined), code: 'token_missing' } : passes(claims);
  return {
    check,
    express(request, response, next) {
      const refusal = check(request.claims);
      if (refusal === undefined) next();
      else response.writeHead(refusal.status, refusal.headers).end(refusal.body);
    },
    fastify(request, reply) {
      const refusal = check(request.claims);
      if (refusal !== undefined) reply.code(refusal.status).headers(refusal.headers).send(refusal.body);
      return Promise.resolve();
    },
    nodeHttp(claims, response) {
      const refusal = check(claims);
      if (refusal === undefined) return true;
      response.writeHead(refusal.status, refusal.headers).end(refusal.body);
      return false;
    },
  };
}

const holds = (list: readonly string[] | undefined, name: string) =>
  Array.isArray(list) && list.includes(name);

/** 403 `permission_denied` naming `permission` unless the token's `perms` hold it (directly or by a role). */
export function requirePermission(permission: string): ClaimsGuard {
  return guardOf((claims) =>
    holds(claims.perms, permission) ? undefined : forbidden('permission_denied', { permission }),
  );
}

/** 403 `permission_denied` naming `role:<name>` unless the token's `roles` hold it. */
export function requireRole(role: string): ClaimsGuard {
  return guardOf((claims) =>
    holds(claims.roles, role) ? undefined : forbidden('permission_denied', { permission: `role:${role}` }),
  );
}

/**
 * 403 `elevation_required` unless the token says its session is elevated now (`elv` later than `now()`): a token
 * minted before the elevation does not say so (refresh after elevating), nor one past the elevation's end.
 */
export function requireElevated(options: { readonly now?: () => number } = {}): ClaimsGuard {
  const now = options.now ?? Date.now;
  return guardOf((claims) =>
    typeof claims.elv === 'number' && now() < claims.elv * 1000 ? undefined : forbidden('elevation_required'),
  );
}
