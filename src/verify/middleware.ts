import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JwtClaims } from './jwt-claims.js';
import type { Verifier, VerifyResult } from './create-verifier.js';

/** A request once verified: the token's claims. */
export interface VerifiedRequest {
  claims?: JwtClaims;
}

/** The bearer token of a request, or undefined (tokens are only read from the header, never from a URL). */
export function bearerTokenOf(authorization: string | undefined): string | undefined {
  if (authorization === undefined || !/^bearer /i.test(authorization)) return undefined;
  const token = authorization.slice('bearer '.length).trim();
  return token === '' || /\s/.test(token) ? undefined : token;
}

/** An answer that refuses a request: its status, headers and JSON body. */
export interface Refusal {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The status and body of a refusal: 401 with `WWW-Authenticate` (RFC 6750), or 503 when the feed is down. */
export function refusalOf(result: Extract<VerifyResult, { ok: false }> | undefined): Refusal {
  const code = result?.code ?? 'token_missing';
  const status = code === 'revocation_feed_unavailable' ? 503 : 401;
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  };
  if (status === 401) {
    headers['www-authenticate'] =
      result === undefined ? 'Bearer' : `Bearer error="invalid_token", error_description="${code}"`;
  }
  return { status, headers, body: JSON.stringify({ error: { code } }) };
}

async function check(verifier: Verifier, authorization: string | undefined) {
  const token = bearerTokenOf(authorization);
  return token === undefined ? undefined : verifier.verify(token);
}

/**
 * For plain `node:http`: resolves the claims, or answers the refusal itself and resolves undefined.
 * `const claims = await authenticate(req, res); if (!claims) return;`
 */
export function nodeHttpAuthenticator(verifier: Verifier) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<JwtClaims | undefined> => {
    const result = await check(verifier, request.headers.authorization);
    if (result?.ok === true) return result.claims;
    const refusal = refusalOf(result);
    response.writeHead(refusal.status, refusal.headers).end(refusal.body);
    return undefined;
  };
}

/**
 * Express-style middleware (`(req, res, next)`, without depending on Express): sets `req.claims` and calls
 * `next()`, or answers the refusal. Works with any framework built on `node:http` requests and responses.
 */
export function expressVerifier(verifier: Verifier) {
  return (
    request: IncomingMessage & VerifiedRequest,
    response: ServerResponse,
    next: (error?: unknown) => void,
  ): void => {
    check(verifier, request.headers.authorization).then((result) => {
      if (result?.ok === true) {
        request.claims = result.claims;
        next();
        return;
      }
      const refusal = refusalOf(result);
      response.writeHead(refusal.status, refusal.headers).end(refusal.body);
    }, next);
  };
}

/** The part of a Fastify reply the hooks use (Fastify itself is not a dependency of this module). */
export interface FastifyLikeReply {
  code(status: number): FastifyLikeReply;
  headers(values: Record<string, string>): FastifyLikeReply;
  send(payload: string): FastifyLikeReply;
}

/**
 * A Fastify `preHandler` (or `onRequest`) hook: sets `request.claims`, or answers the refusal.
 * `app.addHook('preHandler', fastifyVerifier(verifier))`; declare `claims` on FastifyRequest to read it typed.
 */
export function fastifyVerifier(verifier: Verifier) {
  return async (
    request: { headers: { authorization?: string | undefined } } & VerifiedRequest,
    reply: FastifyLikeReply,
  ): Promise<void> => {
    const result = await check(verifier, request.headers.authorization);
    if (result?.ok === true) {
      request.claims = result.claims;
      return;
    }
    const refusal = refusalOf(result);
    reply.code(refusal.status).headers(refusal.headers).send(refusal.body);
  };
}
