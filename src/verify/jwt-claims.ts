/**
 * The claims of a token Keycard issued. Registered claims as in RFC 7519 and RFC 9068; Keycard's own:
 * `sid` (session uuid), `ver` (account version), `api` (API version), `kcp` (what the token is for), and for
 * anonymous sessions `anon` and `aid`.
 */
export interface JwtClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | readonly string[];
  /** Seconds since the epoch. */
  readonly exp: number;
  readonly iat: number;
  readonly nbf?: number;
  readonly jti?: string;
  readonly sid?: string;
  /** The account version; absent for an anonymous session, which has no account. */
  readonly ver?: string;
  /** `true` on an anonymous session's token: `sub` is then its anonymous id, not a user. */
  readonly anon?: boolean;
  /** The anonymous id: an anonymous session's, or the one a user's session was upgraded from. */
  readonly aid?: string;
  readonly api?: string;
  /** Keycard's purpose: `access` (Keycard's own access token) or `audience` (minted for one other service). */
  readonly kcp?: string;
  readonly [claim: string]: unknown;
}

/** The `typ` header of access tokens (RFC 9068). */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** `kcp` of an access token, accepted by Keycard itself. */
export const ACCESS_PURPOSE = 'access';
/** `kcp` of a token minted by `POST /session/token` for one other service; Keycard refuses it. */
export const AUDIENCE_PURPOSE = 'audience';
