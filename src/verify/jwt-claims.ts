/**
 * The claims of a token Keycard issued. Registered claims as in RFC 7519 and RFC 9068; Keycard's own:
 * `sid` (session uuid), `ver` (account version), `api` (API version), `kcp` (what the token is for), `groups`
 * (the session's group), and on access tokens what guards check: `roles`, `perms` (effective permissions) and
 * `elv` (until when the session is elevated); for anonymous sessions `anon` and `aid`.
 */
export interface JwtClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | readonly string[];
  /** Seconds since the epoch. */
  readonly exp: number;
  /** Seconds since the epoch, with milliseconds (fractional) in Keycard's tokens. */
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
  /** The group the token's session belongs to (one id), if any. */
  readonly groups?: readonly string[];
  /** The roles the user holds, sorted, each once; absent: none. Access tokens only. */
  readonly roles?: readonly string[];
  /**
   * The user's effective permissions (held directly or through a role), sorted, each once; absent: none. Access
   * tokens only.
   */
  readonly perms?: readonly string[];
  /**
   * While the session is elevated (step-up): seconds since the epoch when the elevation ends; absent when it is
   * not. A token whose session's elevation was dropped since is refused as `claims_stale`.
   */
  readonly elv?: number;
  readonly [claim: string]: unknown;
}

/** The `typ` header of access tokens (RFC 9068). */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** `kcp` of an access token, accepted by Keycard itself. */
export const ACCESS_PURPOSE = 'access';
/** `kcp` of a token minted by `POST /session/token` for one other service; Keycard refuses it. */
export const AUDIENCE_PURPOSE = 'audience';
