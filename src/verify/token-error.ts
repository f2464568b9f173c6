/**
 * Why a token was refused, as a closed set of codes (as jose's `ERR_JWT_EXPIRED`). Keycard maps them onto its
 * own error codes; a service using `keycard/verify` reads them to decide (`token_expired` → refresh).
 */
export type TokenErrorCode =
  /** Not a compact JWS, or a part that is not base64url JSON. */
  | 'token_malformed'
  /** The header asks for something never accepted: another algorithm than the key's, `none`, `crit`, an embedded key. */
  | 'token_header_refused'
  /** No known key has this `kid`. */
  | 'token_key_unknown'
  | 'token_signature_invalid'
  /** `typ`, `iss`, `aud` or Keycard's purpose claim is not what this verifier accepts. */
  | 'token_claims_invalid'
  | 'token_expired'
  /** `nbf` or `iat` is further in the future than the allowed clock skew. */
  | 'token_not_yet_valid'
  /** Its session has ended (heard on the revocation feed, or from introspection). */
  | 'token_revoked'
  /** Issued before a stamp ("claims valid after") of its user, a group or everyone: refresh for fresh claims. */
  | 'claims_stale'
  /** The revocation feed has been down longer than allowed and no fallback answered. */
  | 'revocation_feed_unavailable';

export class TokenError extends Error {
  readonly code: TokenErrorCode;

  constructor(code: TokenErrorCode, message: string = code, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'TokenError';
    this.code = code;
  }
}

export function isTokenError(error: unknown, code?: TokenErrorCode): error is TokenError {
  return error instanceof TokenError && (code === undefined || error.code === code);
}
