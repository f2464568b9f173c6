import type { ErrorCode, RevocationReason } from '../core/errors.js';

/**
 * The codes a client can meet: the server's (`src/core/errors.ts`), `claims_stale` (which tells a client to
 * refresh, as `access_token_expired` does), and `network_error` when no answer came at all.
 */
export type KeycardErrorCode = ErrorCode | 'claims_stale' | 'network_error';

/** An error answer of Keycard, or no answer: `code` is the server's stable code. */
export class KeycardClientError extends Error {
  readonly code: KeycardErrorCode;
  /** The HTTP status; 0 for `network_error`. */
  readonly status: number;
  /** For `session_revoked`: why the session ended (`revoked` when another device ended it). */
  readonly reason: RevocationReason | undefined;
  /** For `invalid_request` and `password_too_weak`: the request field at fault. */
  readonly field: string | undefined;

  constructor(
    code: KeycardErrorCode,
    message: string,
    options: { status?: number; reason?: RevocationReason; field?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'KeycardClientError';
    this.code = code;
    this.status = options.status ?? 0;
    this.reason = options.reason;
    this.field = options.field;
  }
}

interface ErrorJson {
  readonly error?: { code?: unknown; message?: unknown; reason?: unknown; field?: unknown };
}

/** The error a non-2xx response stands for (a body that is not Keycard's becomes `internal_error`). */
export async function errorOfResponse(response: Response): Promise<KeycardClientError> {
  let body: ErrorJson = {};
  try {
    body = (await response.json()) as ErrorJson;
  } catch {
    // Not JSON (a proxy's page): described by its status below.
  }
  const { code, message, reason, field } = body.error ?? {};
  return new KeycardClientError(
    typeof code === 'string' ? (code as KeycardErrorCode) : 'internal_error',
    typeof message === 'string' ? message : `HTTP ${response.status}`,
    {
      status: response.status,
      ...(typeof reason === 'string' ? { reason: reason as RevocationReason } : {}),
      ...(typeof field === 'string' ? { field } : {}),
    },
  );
}
