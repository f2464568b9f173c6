import { randomBase64url } from '../tokens/random-pool.js';
import type { UserAccess } from '../access/access-store.js';
import type { SessionUser } from '../accounts/user.js';
import { signJwt } from '../tokens/sign-jwt.js';
import type { SigningKeyring } from '../tokens/signing-keyring.js';
import { ACCESS_PURPOSE, ACCESS_TOKEN_TYPE, AUDIENCE_PURPOSE } from '../verify/jwt-claims.js';
import { customClaimsFor, type CustomClaims } from './custom-claims.js';
import type { JwtPolicy } from '../verify/verify-jwt.js';
import type { LiveSession } from './session-cache.js';
import { anonymousClaimsOf } from './anonymous-claims.js';
import { subjectOf } from './session.js';
import { isElevatedAt } from './elevate-session.js';

/** What a JWT access token says of its user beyond the session, and when that was read. */
export interface AccessClaims {
  /** The user's roles and effective permissions. */
  readonly access: UserAccess;
  /**
   * When the session, the user and their access were read (ms, before the reads): the token's `iat`, so a stamp
   * bumped after any of them refuses it.
   */
  readonly readAt: number;
}

/** What a token's claims say about when it was issued to whom: what a stamp check needs. */
export interface StaleClaimsQuery {
  readonly userUuid: string;
  readonly sessionUuid: string;
  /** The group of the token's session (its `groups` claim), if any: a group stamp reaches it too. */
  readonly groupId?: string | null;
  /** Whether the token claims an elevation (`elv`): the session's elevation stamp reaches it too. */
  readonly elevated?: boolean;
  readonly issuedAtMs: number;
}

/** Keycard's JWTs: how they are issued and what verifying one requires. */
export interface JwtSettings {
  /** What access tokens Keycard hands out; JWTs are accepted only with `jwt`. */
  readonly format: 'opaque' | 'jwt';
  readonly issuer: string;
  /** `aud` of access tokens; tokens naming any of these are accepted. */
  readonly audiences: readonly string[];
  readonly ttlSeconds: number;
  readonly clockSkewSeconds: number;
  readonly keyring: SigningKeyring;
  /**
   * Whether a token's claims are older than a stamp ("claims valid after") of its user, a group or everyone:
   * then it is refused with `claims_stale`. Called after the signature and claim checks; default: never stale.
   */
  readonly isClaimsStale?: (token: StaleClaimsQuery) => boolean;
  /** Custom claims: the registry, the key of service-only claims, the embedding app's hook. */
  readonly claims: CustomClaims;
  /** Audiences `POST /session/token` mints for: `KEYCARD_TOKEN_AUDIENCES` and those of registered claims. */
  readonly tokenAudiences: readonly string[];
}

/** Audience tokens live at most this long (s): they are for one call to one service. */
export const AUDIENCE_TOKEN_MAX_TTL_SECONDS = 300;

/** The verification policy of Keycard's own access tokens: `typ` at+jwt, purpose `access`, Keycard's keys. */
export function accessTokenPolicy(settings: JwtSettings): JwtPolicy {
  return {
    keyFor: (kid) => settings.keyring.keyFor(kid),
    typ: ACCESS_TOKEN_TYPE,
    issuer: settings.issuer,
    audiences: settings.audiences,
    clockSkewSeconds: settings.clockSkewSeconds,
    purposes: [ACCESS_PURPOSE],
  };
}

/**
 * A JWT access token for `session`, expiring with its access-token expiry (`accessExpiresAt`). Synchronous: the
 * keyring must be ready (Keycard awaits it before any operation that issues tokens). An anonymous session's
 * (`user` null) has its anonymous id as `sub`, no `ver` and no custom claims (see `anonymousClaimsOf`).
 *
 * Besides the registered claims and `sid`, `ver`, `api`, `kcp`, `groups`, it carries what guards check, compactly:
 * `roles` and `perms` (the user's roles and effective permissions, sorted, each once; left out when there are
 * none) and `elv` (seconds since the epoch when the session's elevation ends, rounded down; only while it is
 * elevated). `iat` carries milliseconds (a NumericDate may be fractional, RFC 7519 section 2): a stamp bumped a
 * millisecond after the claims were read refuses the token, one bumped a millisecond before does not, with no
 * second-wide window either way.
 */
export function issueJwtAccessToken(
  settings: JwtSettings,
  session: LiveSession,
  user: SessionUser | null,
  claims: AccessClaims,
): string {
  const { access, readAt } = claims;
  const notBefore = Math.floor(readAt / 1000);
  return signJwt(settings.keyring.signer(), ACCESS_TOKEN_TYPE, {
    iss: settings.issuer,
    sub: subjectOf(session),
    aud: settings.audiences.length === 1 ? settings.audiences[0] : settings.audiences,
    exp: Math.floor(session.accessExpiresAt / 1000),
    iat: issuedAtOf(readAt),
    nbf: notBefore,
    jti: randomBase64url(16),
    sid: session.uuid,
    ...(user === null ? {} : { ver: user.version }),
    api: session.apiVersion,
    kcp: ACCESS_PURPOSE,
    ...(session.groupId === null ? {} : { groups: [session.groupId] }),
    ...anonymousClaimsOf(session),
    ...(access.roles.length === 0 ? {} : { roles: access.roles }),
    ...(access.permissions.length === 0 ? {} : { perms: access.permissions }),
    ...(session.elevatedUntil !== null && isElevatedAt(session, readAt)
      ? { elv: Math.floor(session.elevatedUntil / 1000) }
      : {}),
    ...(user === null ? {} : customClaimsFor(settings.claims, user, settings.audiences)),
  });
}

/** `iat` with milliseconds: seconds since the epoch, fractional. */
function issuedAtOf(ms: number): number {
  return ms / 1000;
}

/**
 * A short-lived JWT for one other service (`POST /session/token`): `aud` is that service alone, and the only
 * custom claims are those declared for it ("only pass back relevant claims"). Its purpose `audience` makes
 * Keycard refuse it as an access token.
 */
export function issueAudienceToken(
  settings: JwtSettings,
  session: LiveSession,
  user: SessionUser,
  audience: string,
  nowMs: number,
): { token: string; expiresIn: number } {
  const issuedAt = Math.floor(nowMs / 1000);
  const expiresIn = Math.min(settings.ttlSeconds, AUDIENCE_TOKEN_MAX_TTL_SECONDS);
  const token = signJwt(settings.keyring.signer(), ACCESS_TOKEN_TYPE, {
    iss: settings.issuer,
    sub: user.uuid,
    aud: audience,
    exp: issuedAt + expiresIn,
    iat: issuedAtOf(nowMs),
    nbf: issuedAt,
    jti: randomBase64url(16),
    sid: session.uuid,
    ver: user.version,
    api: session.apiVersion,
    kcp: AUDIENCE_PURPOSE,
    ...(session.groupId === null ? {} : { groups: [session.groupId] }),
    ...customClaimsFor(settings.claims, user, [audience]),
  });
  return { token, expiresIn };
}
