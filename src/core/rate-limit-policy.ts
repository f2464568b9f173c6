import { parseDurationSeconds } from './duration.js';

/** At most `limit` hits per window of `windowSeconds`; a window starts at its first hit (a fixed window). */
export interface RateLimitRule {
  readonly limit: number;
  readonly windowSeconds: number;
}

/**
 * Which limits Keycard enforces, and how hard. A rule left undefined is off. It lives in `core` because the
 * configuration reads it from the environment; `src/rate-limits` enforces it.
 */
export interface RateLimitPolicy {
  /** Sign-in attempts per client address (IPv6: per /64), whatever their outcome. */
  readonly signInPerIp: RateLimitRule | undefined;
  /**
   * Failed sign-ins per email before the account is locked out. Counted by email whether or not an account has
   * it, so an unknown email and a known one behave the same.
   */
  readonly signInFailuresPerAccount: RateLimitRule | undefined;
  /** The first lockout; each further lockout doubles it, up to `lockoutMaxSeconds`. */
  readonly lockoutSeconds: number;
  readonly lockoutMaxSeconds: number;
  /** Registrations per client address. */
  readonly registrationsPerIp: RateLimitRule | undefined;
  /**
   * Anonymous sessions started per client address: each is a row in the store for up to its lifetime, and
   * starting one asks for nothing, so this is what keeps `POST /auth/anonymous` from flooding the store.
   */
  readonly anonymousSessionsPerIp?: RateLimitRule | undefined;
  /** Refresh attempts per client address, whatever their outcome. */
  readonly refreshesPerIp: RateLimitRule | undefined;
  /** Refreshes per session, counting only genuine ones, so nobody but its holder can spend a session's budget. */
  readonly refreshesPerSession: RateLimitRule | undefined;
  /**
   * Access tokens refused as invalid (forged, unknown, superseded) per client address. Each of those reads the
   * store, where a valid one is answered from memory: past the limit, the address's tokens get `rate_limited`
   * before any lookup, so guessing costs the database nothing.
   */
  readonly tokenFailuresPerIp?: RateLimitRule | undefined;
}

export const defaultRateLimitPolicy: RateLimitPolicy = {
  signInPerIp: { limit: 20, windowSeconds: 60 },
  signInFailuresPerAccount: { limit: 5, windowSeconds: 15 * 60 },
  lockoutSeconds: 15 * 60,
  lockoutMaxSeconds: 24 * 3600,
  registrationsPerIp: { limit: 10, windowSeconds: 3600 },
  anonymousSessionsPerIp: { limit: 100, windowSeconds: 3600 },
  refreshesPerIp: { limit: 60, windowSeconds: 60 },
  refreshesPerSession: { limit: 10, windowSeconds: 60 },
  tokenFailuresPerIp: { limit: 100, windowSeconds: 60 },
};

const RULE_PATTERN = /^\s*(\d{1,9})\s*\/\s*(\S+)\s*$/;

/**
 * Reads `<count>/<duration>` (`20/1m`, `5/15m`, `10/3600`), or `off`. Returns undefined for `off` and
 * `'invalid'` for anything else that is not a positive count per positive duration.
 */
export function parseRateLimitRule(text: string): RateLimitRule | undefined | 'invalid' {
  if (text.trim() === 'off') return undefined;
  const match = RULE_PATTERN.exec(text);
  if (match?.[1] === undefined || match[2] === undefined) return 'invalid';
  const limit = Number(match[1]);
  const windowSeconds = parseDurationSeconds(match[2]);
  if (limit < 1 || windowSeconds === undefined) return 'invalid';
  return { limit, windowSeconds };
}

/** The inverse of `parseRateLimitRule`, in the largest whole unit: `{20, 60}` is `20/1m`. */
export function formatRateLimitRule(rule: RateLimitRule | undefined): string {
  return rule === undefined ? 'off' : `${rule.limit}/${formatDuration(rule.windowSeconds)}`;
}

export function formatDuration(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
