import type { Clock } from '../core/clock.js';
import type { KeycardEvent, RequestContext } from '../core/keycard-events.js';
import type { UserStore } from '../accounts/user-store.js';
import type { ClaimsStampStore } from '../claims/claims-stamp.js';
import type { ClaimsStamps } from '../claims/claims-stamps.js';
import type { AccessCache } from '../access/access-cache.js';
import type { AccessStore } from '../access/access-store.js';
import type { RateLimiter } from '../rate-limits/rate-limiter.js';
import type { JwtSettings } from './jwt-access-tokens.js';
import type { SessionStateCache } from './session-state-cache.js';
import type { SessionLifetimes } from './session-lifetimes.js';
import type { SessionStore } from './session-store.js';

/** Activity is written to the store at most this often per session, so a busy session costs no write per request. */
export const TOUCH_INTERVAL_MS = 60_000;

/** Everything the session operations depend on; built once by `createKeycard`. */
export interface SessionContext {
  readonly store: SessionStore & UserStore & ClaimsStampStore & AccessStore;
  /** Each user's roles and effective permissions, in memory (see `src/access`). */
  readonly access: AccessCache;
  /** Every stamp that can still refuse a token, in memory (see `src/claims`). */
  readonly stamps: ClaimsStamps;
  /** How long an elevation (step-up) lasts (ms). */
  readonly elevationTtlMs: number;
  /** Group ids a sign-in may name for its session. */
  readonly sessionGroups: ReadonlySet<string>;
  /** How far back stamps matter: the longest lifetime of a token Keycard checks (ms). */
  readonly stampHorizonMs: number;
  readonly cache: SessionStateCache;
  readonly clock: Clock;
  /** Key for the refresh chain's HMACs, derived from the server secret. */
  readonly chainKey: Uint8Array;
  readonly lifetimes: SessionLifetimes;
  readonly accessTtlSeconds: number;
  readonly refreshGraceSeconds: number;
  /** API versions refused: a session created with one is refused too (`api_version_denied`). Usually empty. */
  readonly deniedApiVersions: ReadonlySet<string>;
  /** Told what happened, after the store committed it. */
  readonly emit: (event: KeycardEvent) => void;
  /** Rate limits and lockouts (`noRateLimits` when they are off). */
  readonly rateLimiter: RateLimiter;
  /** JWT signing and verification settings (keys, issuer, audiences); access tokens are JWTs with `format: jwt`. */
  readonly jwt: JwtSettings;
  /** Where the current operation came from (HTTP); absent for background work and direct calls. */
  readonly request?: RequestContext | undefined;
}
