/**
 * The closed set of error codes Keycard answers with, and the HTTP status of each.
 *
 * This is the only place a status is chosen: the domain throws `KeycardError(code)` and the HTTP layer looks
 * the status up here. Codes are part of the public API: once released they never change meaning.
 */
export const errorRegistry = {
  invalid_request: { status: 400, message: 'The request is malformed.' },
  unsupported_api_version: { status: 400, message: 'This API version is not supported.' },
  audience_unknown: { status: 400, message: 'Keycard mints no token for this audience.' },
  password_too_weak: { status: 400, message: 'The password is too weak.' },
  cannot_revoke_current: {
    status: 400,
    message: 'The current session cannot be revoked this way; sign out instead.',
  },
  session_required: {
    status: 401,
    message: 'This account signs in with sessions now: sign in again to get one.',
  },
  invalid_credentials: { status: 401, message: 'The email or password is incorrect.' },
  token_missing: { status: 401, message: 'An access token is required.' },
  token_invalid: { status: 401, message: 'The access token is invalid.' },
  access_token_expired: { status: 401, message: 'The access token has expired; refresh it.' },
  claims_stale: {
    status: 401,
    message: 'The access token was issued before its claims changed; refresh it.',
  },
  service_key_invalid: { status: 401, message: 'A valid service key is required.' },
  session_expired: { status: 401, message: 'The session has expired; sign in again.' },
  session_revoked: { status: 401, message: 'The session has been revoked; sign in again.' },
  refresh_token_invalid: { status: 401, message: 'The refresh token is invalid.' },
  refresh_token_reused: {
    status: 401,
    message: 'The refresh token was already used; the session has been revoked.',
  },
  permission_denied: { status: 403, message: 'The caller lacks the permission this needs.' },
  account_required: {
    status: 403,
    message: 'This needs an account: an anonymous session cannot do it. Register or sign in first.',
  },
  elevation_required: {
    status: 403,
    message: 'This needs an elevated session: confirm your password at POST /session/elevate.',
  },
  csrf_rejected: {
    status: 403,
    message: 'A request authenticated by cookie must come from a trusted origin and carry X-Keycard-CSRF: 1.',
  },
  session_not_found: { status: 404, message: 'No such session.' },
  user_not_found: { status: 404, message: 'No such user.' },
  role_not_found: { status: 404, message: 'No such role.' },
  permission_not_found: { status: 404, message: 'No such permission.' },
  not_found: { status: 404, message: 'No such endpoint.' },
  email_taken: { status: 409, message: 'An account with this email already exists.' },
  name_taken: { status: 409, message: 'A role or permission with this name already exists.' },
  last_admin: { status: 409, message: 'This would leave no administrator; make another one first.' },
  builtin_protected: {
    status: 409,
    message: 'The built-in admin role and keycard:admin permission cannot be deleted or separated.',
  },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'The request body must be application/json.' },
  api_version_denied: {
    status: 426,
    message: 'This API version is no longer accepted; update the client and sign in again.',
  },
  rate_limited: { status: 429, message: 'Too many attempts; try again later.' },
  internal_error: { status: 500, message: 'Something went wrong on our side.' },
  store_unavailable: { status: 503, message: 'The store is unavailable; try again shortly.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorRegistry;

/**
 * Why a session ended; recorded in `revoked_sessions.reason` and returned with `session_revoked`.
 * `revoked_by_admin` and `user_disabled` come from the command line (`keycard sessions revoke`, `users disable`).
 */
export type RevocationReason =
  | 'sign_out'
  | 'revoked'
  | 'revoked_others'
  | 'refresh_reuse'
  | 'expired'
  | 'revoked_by_admin'
  | 'user_disabled'
  | 'password_changed'
  | 'account_deleted'
  /** An anonymous session whose token came with a sign-in or registration: carried over into a user's session. */
  | 'upgraded';

export interface KeycardErrorDetails {
  /** The request field at fault, for `invalid_request` and `password_too_weak`. */
  readonly field?: string;
  /** The permission (or `role:<name>`) that was missing, for `permission_denied`. */
  readonly permission?: string;
  /** Why a session ended, for `session_revoked`. */
  readonly reason?: RevocationReason;
  /** For `rate_limited`: when to try again (s). Sent as the `Retry-After` header, not in the body. */
  readonly retryAfterSeconds?: number;
}

/**
 * Every error Keycard means to show a client. Anything else that escapes is an `internal_error` with no details.
 * Programmer mistakes (a bad option) are `TypeError`s instead, as in jose.
 */
export class KeycardError extends Error {
  readonly code: ErrorCode;
  readonly details: KeycardErrorDetails;

  constructor(
    code: ErrorCode,
    options: { message?: string; details?: KeycardErrorDetails; cause?: unknown } = {},
  ) {
    super(options.message ?? errorRegistry[code].message, { cause: options.cause });
    this.name = 'KeycardError';
    this.code = code;
    this.details = options.details ?? {};
  }

  get status(): number {
    return errorRegistry[this.code].status;
  }
}

export function isKeycardError(error: unknown, code?: ErrorCode): error is KeycardError {
  return error instanceof KeycardError && (code === undefined || error.code === code);
}
