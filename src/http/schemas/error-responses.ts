import { type TSchema, Type } from 'typebox';
import { type ErrorCode, errorRegistry } from '../../core/errors.js';
import { ErrorBody } from './common-schemas.js';

/**
 * Which error codes each route can answer, declared once on the route's schema: the OpenAPI document, the
 * `/docs` page and a test that probes every route all read them from there.
 */

/** Codes any route can answer: a bad query string or API version, or a failure on our side. */
export const EVERY_ROUTE_ERRORS = [
  'invalid_request',
  'unsupported_api_version',
  'api_version_denied',
  'internal_error',
] as const;

/** Codes of routes that read a body: on top of `invalid_request` for a malformed or unknown field. */
export const BODY_ERRORS = ['payload_too_large', 'unsupported_media_type'] as const;

/**
 * Codes of routes that require `Authorization: Bearer <access token>` of any session, an anonymous one too
 * (`GET /me`, sign-out).
 */
export const SESSION_TOKEN_ERRORS = [
  'token_missing',
  'token_invalid',
  'access_token_expired',
  'claims_stale',
  'session_expired',
  'session_revoked',
  // A JWT issued before a stamp of its user, a group or everyone.
  'claims_stale',
  // A legacy account's JWT where a session is needed, or the JWT of an account upgraded since.
  'session_required',
  // A session created with an API version denied since.
  'api_version_denied',
  // A cache miss reads the store.
  'store_unavailable',
] as const;

/** Codes of routes that require the access token of a user's session: an anonymous one is refused. */
export const ACCESS_TOKEN_ERRORS = [...SESSION_TOKEN_ERRORS, 'account_required'] as const;

/**
 * How a route that requires an access token is described in OpenAPI: `Authorization: Bearer`, or (for browsers)
 * the `__Host-keycard` cookie.
 */
export const BEARER_SECURITY = [{ bearer: [] }, { cookie: [] }] as const;

/** The OpenAPI extension on each operation that lists its error codes. */
export const ERROR_CODES_EXTENSION = 'x-error-codes';

type StatusOf<Code extends ErrorCode> = (typeof errorRegistry)[Code]['status'];
type AutomaticCodes<S> =
  (typeof EVERY_ROUTE_ERRORS)[number] | (S extends { body: unknown } ? (typeof BODY_ERRORS)[number] : never);

export type WithErrorCodes<S extends { response: object }, Code extends ErrorCode> = Omit<S, 'response'> & {
  // Each is `ErrorBody` with the status's codes listed in `code`'s `enum`: the same type.
  readonly response: S['response'] & {
    readonly [Status in StatusOf<Code | AutomaticCodes<S>>]: typeof ErrorBody;
  };
  readonly [ERROR_CODES_EXTENSION]: readonly ErrorCode[];
};

/**
 * A route schema with its error codes: `codes` plus those every route (and every route with a body) can answer.
 * Each status gets an error response whose description names its codes, and the operation lists them all
 * under `x-error-codes`.
 */
export function withErrorCodes<S extends { response: object }, const Code extends ErrorCode>(
  codes: readonly Code[],
  schema: S,
): WithErrorCodes<S, Code> {
  const automatic: readonly ErrorCode[] =
    'body' in schema ? [...EVERY_ROUTE_ERRORS, ...BODY_ERRORS] : EVERY_ROUTE_ERRORS;
  const all = [...new Set<ErrorCode>([...codes, ...automatic])].sort(
    (a, b) => errorRegistry[a].status - errorRegistry[b].status || a.localeCompare(b),
  );
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of all) {
    const status = errorRegistry[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const errors: Record<number, TSchema> = {};
  for (const [status, statusCodes] of byStatus) {
    const { message, field, reason, permission } = ErrorBody.properties.error.properties;
    errors[status] = Type.Object(
      {
        error: Type.Object({
          // `enum` documents the codes; serialising a string does not check it.
          code: Type.Unsafe<string>({ type: 'string', enum: statusCodes }),
          message,
          field,
          reason,
          permission,
        }),
      },
      {
        additionalProperties: false,
        description: statusCodes.map((code) => `\`${code}\`: ${errorRegistry[code].message}`).join('\n\n'),
      },
    );
  }
  // The type above is what this builds; TypeScript cannot follow the loop that keys `errors` by status.
  const documented = { ...schema, response: { ...schema.response, ...errors }, [ERROR_CODES_EXTENSION]: all };
  return documented as unknown as WithErrorCodes<S, Code>;
}
