import type { AuthenticatedSession } from './sessions/authenticate-access-token.js';
import type { CachedSession } from './sessions/session-cache.js';
import { subjectOf } from './sessions/session.js';
import { anonymousClaimsOf } from './sessions/anonymous-claims.js';
import {
  authenticateCachedJwtAccessToken,
  authenticateJwtAccessToken,
} from './sessions/authenticate-jwt-access-token.js';
import {
  accessTokenPolicy,
  issueAudienceToken,
  type JwtSettings,
  type StaleClaimsQuery,
} from './sessions/jwt-access-tokens.js';
import { type ErrorCode, isKeycardError, KeycardError } from './core/errors.js';
import type { ClaimDefinition } from './core/claims-registry.js';
import type { ClaimsHook } from './sessions/custom-claims.js';
import { CLAIMS_KEY_BYTES } from './tokens/encrypt-claim.js';
import { ACCESS_PURPOSE, ACCESS_TOKEN_TYPE, AUDIENCE_PURPOSE, type JwtClaims } from './verify/jwt-claims.js';
import type { SessionContext } from './sessions/session-context.js';
import { type PublicJwk, publicJwkOf, type SigningKey } from './tokens/signing-key.js';
import { KEY_RELOAD_INTERVAL_MS, SigningKeyring } from './tokens/signing-keyring.js';
import type { SigningKeyStore } from './tokens/signing-key-store.js';
import type { Clock } from './core/clock.js';
import type { JwsAlgorithm } from './verify/verification-key.js';
import type { RevocationMessage, Stamp } from './verify/revocation-message.js';

/** JWT settings of `createKeycard`; every field has a default. */
export interface JwtOptions {
  /** What access tokens are handed out: `opaque` (default) or `jwt`. */
  readonly format?: 'opaque' | 'jwt';
  /** `iss`; default `http://127.0.0.1:8080`. */
  readonly issuer?: string;
  /** `aud` of access tokens; default `["keycard"]`. */
  readonly audiences?: readonly string[];
  /** Lifetime of JWTs (s): access tokens with `format: jwt`, and audience tokens; default 900. */
  readonly ttlSeconds?: number;
  /** Allowed clock difference when checking `exp`, `nbf`, `iat` (s); default 30. */
  readonly clockSkewSeconds?: number;
  /** Algorithm of generated keys; default EdDSA. */
  readonly alg?: JwsAlgorithm;
  /** A key given in a file: the only key, not stored. */
  readonly fileKey?: SigningKey;
  /** Custom claims (`KEYCARD_CLAIMS`). */
  readonly claims?: readonly ClaimDefinition[];
  /** The 32-byte key of claims only services may read (`KEYCARD_CLAIMS_KEY`). */
  readonly claimsKey?: Uint8Array;
  /** Audiences `POST /session/token` mints for, besides those of registered claims. */
  readonly tokenAudiences?: readonly string[];
}

/** A signing key as `keycard keys list` shows it: never any key material. */
export interface SigningKeyInfo {
  readonly kid: string;
  readonly alg: JwsAlgorithm;
  readonly createdAt: number;
  readonly retiredAt: number | null;
  /** `signing`, `verifying` (retired, within the grace) or `expired` (verifies nothing). */
  readonly state: 'signing' | 'verifying' | 'expired';
}

export interface PublicJwks {
  readonly keys: PublicJwk[];
}

export const DEFAULT_JWT_TTL_SECONDS = 900;
export const DEFAULT_CLOCK_SKEW_SECONDS = 30;

/** The JWT settings from options and defaults, with the keyring over the store. */
export function jwtSettingsFrom(
  options: JwtOptions,
  dependencies: {
    store: SigningKeyStore;
    secret: Uint8Array;
    clock: Clock;
    isClaimsStale?: (token: StaleClaimsQuery) => boolean;
    claimsFor?: ClaimsHook;
  },
): JwtSettings {
  const registry = options.claims ?? [];
  if (
    registry.some((claim) => claim.readers === 'services') &&
    options.claimsKey?.length !== CLAIMS_KEY_BYTES
  ) {
    throw new TypeError(`claims only services may read need a claimsKey of ${CLAIMS_KEY_BYTES} bytes`);
  }
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_JWT_TTL_SECONDS;
  const clockSkewSeconds = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const audiences = options.audiences ?? ['keycard'];
  if (audiences.length === 0) throw new TypeError('jwt.audiences must name at least one audience');
  return {
    format: options.format ?? 'opaque',
    issuer: options.issuer ?? 'http://127.0.0.1:8080',
    audiences,
    ttlSeconds,
    clockSkewSeconds,
    keyring: new SigningKeyring({
      store: dependencies.store,
      secret: dependencies.secret,
      alg: options.alg ?? 'EdDSA',
      clock: dependencies.clock,
      // A retired key verifies what it may have signed: tokens live ttl (+ skew), and another node may sign
      // with it until its next reload.
      retiredKeyGraceMs: (ttlSeconds + clockSkewSeconds) * 1000 + KEY_RELOAD_INTERVAL_MS,
      ...(options.fileKey === undefined ? {} : { fileKey: options.fileKey }),
    }),
    ...(dependencies.isClaimsStale === undefined ? {} : { isClaimsStale: dependencies.isClaimsStale }),
    claims: {
      registry,
      ...(options.claimsKey === undefined ? {} : { key: options.claimsKey }),
      ...(dependencies.claimsFor === undefined ? {} : { hook: dependencies.claimsFor }),
    },
    tokenAudiences: [
      ...new Set([...(options.tokenAudiences ?? []), ...registry.flatMap((claim) => claim.audiences)]),
    ].filter((audience) => !audiences.includes(audience)),
  };
}

/** What `Keycard` offers about JWTs and keys. */
export interface KeycardJwt {
  readonly settings: Pick<JwtSettings, 'format' | 'issuer' | 'audiences' | 'ttlSeconds' | 'clockSkewSeconds'>;
  /** The algorithm new keys are made for. */
  readonly algorithm: JwsAlgorithm;
  /** Reads the signing keys, creating the first one: the server does this at startup, so a wrong secret stops it. */
  ready(): Promise<void>;
  /** The public keys that verify Keycard's tokens (`GET /.well-known/jwks.json`); never HS256 secrets. */
  publicJwks(): Promise<PublicJwks>;
  listSigningKeys(): Promise<SigningKeyInfo[]>;
  rotateSigningKey(): Promise<SigningKeyInfo>;
  /**
   * What a verifier connecting to the revocation stream must know first: sessions ended within the lifetime of
   * a JWT (an older revocation only concerns expired tokens), at most `limit`.
   */
  revocationSnapshot(limit?: number): Promise<RevocationMessage>;
  /**
   * RFC 7662 introspection for other services: whether a token (a JWT access or audience token, or an opaque
   * access token) is active now, with its claims. Inactive tokens say nothing more; a store outage throws.
   */
  introspect(token: string): Promise<Introspection>;
  /**
   * A short-lived JWT for one other service, with only the claims declared for it (`POST /session/token`).
   * Throws `audience_unknown` for an audience it does not mint for.
   */
  mintAudienceToken(
    current: AuthenticatedSession,
    audience: string,
  ): Promise<{ token: string; expiresIn: number }>;
}

export type Introspection =
  | { readonly active: false }
  | ({ readonly active: true; readonly sub: string; readonly sid: string; readonly exp: number } & Partial<
      Pick<JwtClaims, 'iss' | 'aud' | 'iat' | 'jti' | 'ver' | 'api' | 'kcp' | 'anon' | 'aid'>
    >);

const SNAPSHOT_LIMIT = 10_000;

/** Answers that mean "this token is not active"; anything else (the store is down) is an error. */
const INACTIVE_CODES: ReadonlySet<ErrorCode> = new Set([
  'token_invalid',
  'access_token_expired',
  'session_expired',
  'session_revoked',
  'claims_stale',
]);

function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

export function createKeycardJwt(
  context: SessionContext,
  opaque: { authenticate(token: string): Promise<CachedSession> },
  currentStamps: () => readonly Stamp[] = () => [],
): KeycardJwt {
  const { keyring } = context.jwt;
  const infoOf = (key: SigningKey): SigningKeyInfo => ({
    kid: key.kid,
    alg: key.alg,
    createdAt: key.createdAt,
    retiredAt: key.retiredAt,
    state: key.retiredAt === null ? 'signing' : keyring.stillVerifies(key) ? 'verifying' : 'expired',
  });
  return {
    settings: context.jwt,
    algorithm: keyring.algorithm,
    ready: () => keyring.ready(),
    async publicJwks() {
      await keyring.ready();
      return {
        keys: keyring
          .verificationKeys()
          .filter((key) => key.alg !== 'HS256')
          .map((key) => publicJwkOf(key)),
      };
    },
    async listSigningKeys() {
      return (await keyring.listKeys()).map(infoOf);
    },
    async rotateSigningKey() {
      return infoOf(await keyring.rotate());
    },
    async mintAudienceToken(current, audience) {
      if (!context.jwt.tokenAudiences.includes(audience)) throw new KeycardError('audience_unknown');
      await keyring.ready();
      return issueAudienceToken(context.jwt, current.session, current.user, audience, context.clock.now());
    },
    async introspect(token) {
      try {
        if (!token.startsWith('eyJ')) {
          const { session } = await opaque.authenticate(token);
          return {
            active: true,
            sub: subjectOf(session),
            sid: session.uuid,
            exp: Math.floor(session.accessExpiresAt / 1000),
            ...anonymousClaimsOf(session),
          };
        }
        await keyring.ready();
        const { claims } = await authenticateJwtAccessToken(context, token, {
          ...accessTokenPolicy(context.jwt),
          audiences: [...context.jwt.audiences, ...context.jwt.tokenAudiences],
          purposes: [ACCESS_PURPOSE, AUDIENCE_PURPOSE],
        });
        const { iss, sub, aud, exp, iat, jti, sid = '', ver, api, kcp, anon, aid } = claims;
        // RFC 7662 gives `iat` as an integer: the token's milliseconds are left out.
        return {
          active: true,
          iss,
          sub,
          aud,
          exp,
          iat: Math.floor(iat),
          sid,
          ...defined({ jti, ver, api, kcp, anon, aid }),
        };
      } catch (error) {
        if (isKeycardError(error) && INACTIVE_CODES.has(error.code)) return { active: false };
        throw error;
      }
    },
    async revocationSnapshot(limit = SNAPSHOT_LIMIT) {
      const now = context.clock.now();
      const windowMs = (context.jwt.ttlSeconds + context.jwt.clockSkewSeconds) * 1000;
      // Access tokens of the opaque kind are not verified elsewhere; JWTs live at most the longer of the two TTLs.
      const since = now - Math.max(windowMs, context.accessTtlSeconds * 1000);
      const { ended } = await context.store.listSessionChangesSince(since, limit);
      const stamps = currentStamps();
      const elevations = stamps.filter((stamp) => stamp.scope === 'elevation');
      return {
        kind: 'snapshot',
        sessions: ended,
        stamps: stamps.filter((stamp) => stamp.scope !== 'elevation'),
        ...(elevations.length === 0 ? {} : { elevations }),
        complete: ended.length < limit,
        at: now,
      };
    },
  };
}

/**
 * `authenticate` and `authenticateCached` for both token formats: a JWT-shaped token goes the JWT way. Both
 * accept anonymous sessions (user null); Keycard's own `authenticate` then requires an account.
 */
export function jwtAwareAuthentication(
  context: SessionContext,
  opaque: {
    authenticate(token: string): Promise<CachedSession>;
    authenticateCached(token: string): CachedSession | undefined;
  },
) {
  const jwtEnabled = context.jwt.format === 'jwt';
  const isJwt = (token: string) => jwtEnabled && token.startsWith('eyJ');
  return {
    /**
     * Whether a JWT-shaped token claims to be one of Keycard's access tokens (`typ: at+jwt`), so it is checked as
     * one, rather than as a legacy token (`typ: JWT`). Only a claim: verification decides.
     */
    isAccessJwt: (token: string): boolean => isJwt(token) && headerTypeOf(token) === ACCESS_TOKEN_TYPE,
    authenticate: async (token: string): Promise<CachedSession> => {
      if (!isJwt(token)) return opaque.authenticate(token);
      await context.jwt.keyring.ready();
      return authenticateJwtAccessToken(context, token);
    },
    authenticateCached: (token: string): CachedSession | undefined => {
      if (!isJwt(token)) return opaque.authenticateCached(token);
      return context.jwt.keyring.loaded ? authenticateCachedJwtAccessToken(context, token) : undefined;
    },
  };
}

/** The lower-cased `typ` of a JWT's header, without verifying anything; undefined when there is none. */
function headerTypeOf(token: string): string | undefined {
  const dot = token.indexOf('.');
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')) as {
      typ?: unknown;
    };
    return typeof header.typ === 'string'
      ? header.typ.toLowerCase().replace(/^application\//, '')
      : undefined;
  } catch {
    return undefined;
  }
}
