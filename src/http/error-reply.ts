import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, errorRegistry, isKeycardError, KeycardError } from '../core/errors.js';
import { clearSessionCookies } from './cookies/session-cookies.js';

/** Codes after which a Bearer client should discard or refresh its token (RFC 6750 `invalid_token`). */
const INVALID_TOKEN_CODES: ReadonlySet<ErrorCode> = new Set([
  'token_invalid',
  'access_token_expired',
  'claims_stale',
  'session_expired',
  'session_revoked',
  'claims_stale',
]);

/** Codes after which a session cookie will never work again: the browser is told to drop the cookies. */
const DEAD_COOKIE_CODES: ReadonlySet<ErrorCode> = new Set([
  'token_invalid',
  'session_expired',
  'session_revoked',
  'refresh_token_invalid',
  'refresh_token_reused',
]);

/** Fastify's own errors, by code, as Keycard codes. */
const FRAMEWORK_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_BAD_URL: 'invalid_request',
};

/**
 * Turns anything thrown while handling a request into Keycard's error body. The status comes from the registry
 * only; an unexpected error is logged and answered as a bare `internal_error`.
 */
export function replyWithError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const keycardError = toKeycardError(error);
  if (keycardError.code === 'internal_error') {
    request.log.error({ err: error }, 'unexpected error');
  }
  // Errors can come before a route's preamble (routePreamble) sets this, so they set it themselves.
  reply.header('cache-control', 'no-store');
  const { code, details: allDetails } = keycardError;
  const { retryAfterSeconds, ...details } = allDetails;
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  if (code === 'token_missing') reply.header('www-authenticate', 'Bearer realm="keycard"');
  if (INVALID_TOKEN_CODES.has(code)) {
    reply.header('www-authenticate', `Bearer realm="keycard", error="invalid_token"`);
  }
  if (request.sessionCookieUsed && DEAD_COOKIE_CODES.has(code)) clearSessionCookies(reply);
  const message = code === 'internal_error' ? errorRegistry.internal_error.message : keycardError.message;
  return reply.code(errorRegistry[code].status).send({ error: { code, message, ...details } });
}

function toKeycardError(error: unknown): KeycardError {
  if (isKeycardError(error)) return error;
  const fastifyError = error as Partial<FastifyError>;
  if (Array.isArray(fastifyError.validation)) {
    const field = fieldOf(fastifyError);
    return new KeycardError('invalid_request', {
      message:
        field === undefined ? 'The request is malformed.' : `${field}: ${describeProblem(fastifyError)}`,
      ...(field === undefined ? {} : { details: { field } }),
    });
  }
  const mapped = typeof fastifyError.code === 'string' ? FRAMEWORK_CODES[fastifyError.code] : undefined;
  if (mapped !== undefined) return new KeycardError(mapped);
  return new KeycardError('internal_error', { cause: error });
}

function fieldOf(error: Partial<FastifyError>): string | undefined {
  const [first] = error.validation ?? [];
  if (first === undefined) return undefined;
  const params: Record<string, unknown> = first.params;
  const path = first.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const child =
    typeof params.missingProperty === 'string'
      ? params.missingProperty
      : typeof params.additionalProperty === 'string'
        ? params.additionalProperty
        : undefined;
  const field = [path, child].filter((part) => part !== undefined && part !== '').join('.');
  return field === '' ? error.validationContext : field;
}

function describeProblem(error: Partial<FastifyError>): string {
  const [first] = error.validation ?? [];
  if (first === undefined) return 'invalid';
  if (first.keyword === 'required') return 'is required';
  if (first.keyword === 'additionalProperties') return 'is not a known field';
  return first.message ?? 'is invalid';
}
