import { createHmac } from 'node:crypto';
import { KeycardError } from '../core/errors.js';
import type { RateLimitPolicy, RateLimitRule } from '../core/rate-limit-policy.js';
import type { AttemptCount, AttemptCounter } from './attempt-counter.js';
import { clientAddressKey } from './client-address-key.js';

/**
 * Every rate-limit and lockout decision. Each `before…` throws `rate_limited` (with `retryAfterSeconds`) when
 * the attempt must be refused; the others record an outcome. An address of null (a call that did not come over
 * HTTP) skips the per-address limits.
 */
export interface RateLimiter {
  /** Before a password is checked: refuses when the address is over its limit or the account is locked out. */
  beforeSignIn(email: string, address: string | null): Promise<void>;
  /** After a wrong password, or an unknown email (the same counters): may start a lockout. */
  signInFailed(email: string): Promise<void>;
  /** After a correct password: the account's failures so far are forgotten (not its lockout back-off). */
  signInSucceeded(email: string): Promise<void>;
  beforeRegistration(address: string | null): Promise<void>;
  /** Before an anonymous session is started: refuses when the address started too many. */
  beforeAnonymousSession(address: string | null): Promise<void>;
  /** `sessionUuid` is the one the presented token names (unverified), if it names one. */
  beforeRefresh(sessionUuid: string | null, address: string | null): Promise<void>;
  /** After a genuine refresh of `sessionUuid` (one that rotated its tokens; grace retries are not counted). */
  refreshed(sessionUuid: string): Promise<void>;
  /** Before an access token is looked up in the store: refuses an address that sent too many invalid ones. */
  beforeTokenLookup(address: string | null): Promise<void>;
  /** After an access token was refused as invalid (`token_invalid`). */
  tokenRejected(address: string | null): Promise<void>;
}

/** No limits at all (`KEYCARD_RATE_LIMITS=off`, and Keycards built without a policy, such as most tests'). */
export const noRateLimits: RateLimiter = {
  beforeSignIn: () => Promise.resolve(),
  signInFailed: () => Promise.resolve(),
  signInSucceeded: () => Promise.resolve(),
  beforeRegistration: () => Promise.resolve(),
  beforeAnonymousSession: () => Promise.resolve(),
  beforeRefresh: () => Promise.resolve(),
  refreshed: () => Promise.resolve(),
  beforeTokenLookup: () => Promise.resolve(),
  tokenRejected: () => Promise.resolve(),
};

/** How long lockout back-off is remembered beyond the longest lockout, counted from the latest lockout. */
const STRIKE_MEMORY_EXTRA_MS = 86_400_000;

export interface RateLimiterOptions {
  readonly counter: AttemptCounter;
  readonly policy: RateLimitPolicy;
  /**
   * Keys counters by an HMAC under this key, so the counters' store (Redis) holds no email or address. Every
   * node sharing counters must use the same key.
   */
  readonly keySecret: Uint8Array;
}

export function createRateLimiter({ counter, policy, keySecret }: RateLimiterOptions): RateLimiter {
  const keyOf = (kind: string, value: string) =>
    `${kind}:${createHmac('sha256', keySecret).update(value).digest('base64url').slice(0, 22)}`;
  const accountKeys = (email: string) => {
    const account = keyOf('account', email);
    return { failures: `failures:${account}`, lock: `lock:${account}`, strikes: `strikes:${account}` };
  };
  const hitPerAddress = (kind: string, rule: RateLimitRule | undefined, address: string | null) =>
    rule === undefined || address === null
      ? undefined
      : counter.increment(keyOf(kind, clientAddressKey(address)), rule.windowSeconds * 1000);

  return {
    async beforeSignIn(email, address) {
      const rule = policy.signInPerIp;
      const [perAddress, lock] = await Promise.all([
        hitPerAddress('sign_in_ip', rule, address),
        policy.signInFailuresPerAccount === undefined ? undefined : counter.read(accountKeys(email).lock),
      ]);
      refuseIfAny([over(perAddress, rule?.limit), over(lock, 0)]);
    },

    async signInFailed(email) {
      const rule = policy.signInFailuresPerAccount;
      if (rule === undefined) return;
      const keys = accountKeys(email);
      const failures = await counter.increment(keys.failures, rule.windowSeconds * 1000);
      // Exactly one of concurrent failures sees the limit itself, so one lockout starts, not several.
      if (failures.count !== rule.limit) return;
      const strikes = await counter.increment(
        keys.strikes,
        policy.lockoutMaxSeconds * 1000 + STRIKE_MEMORY_EXTRA_MS,
        { restartWindow: true },
      );
      const lockoutSeconds = Math.min(
        policy.lockoutSeconds * 2 ** (strikes.count - 1),
        policy.lockoutMaxSeconds,
      );
      await counter.increment(keys.lock, lockoutSeconds * 1000, { restartWindow: true });
      // After the lockout, the account starts again from no failures (and a longer next lockout).
      await counter.reset([keys.failures]);
    },

    async signInSucceeded(email) {
      if (policy.signInFailuresPerAccount === undefined) return;
      await counter.reset([accountKeys(email).failures]);
    },

    async beforeRegistration(address) {
      const rule = policy.registrationsPerIp;
      const perAddress = await hitPerAddress('register_ip', rule, address);
      refuseIfAny([over(perAddress, rule?.limit)]);
    },

    async beforeAnonymousSession(address) {
      const rule = policy.anonymousSessionsPerIp;
      const perAddress = await hitPerAddress('anonymous_ip', rule, address);
      refuseIfAny([over(perAddress, rule?.limit)]);
    },

    async beforeRefresh(sessionUuid, address) {
      const ipRule = policy.refreshesPerIp;
      const sessionRule = policy.refreshesPerSession;
      const [perAddress, perSession] = await Promise.all([
        hitPerAddress('refresh_ip', ipRule, address),
        sessionRule === undefined || sessionUuid === null
          ? undefined
          : counter.read(keyOf('refresh_session', sessionUuid)),
      ]);
      // The session's count holds genuine refreshes done so far: this one would be one more.
      refuseIfAny([over(perAddress, ipRule?.limit), over(perSession, (sessionRule?.limit ?? 0) - 1)]);
    },

    async beforeTokenLookup(address) {
      const rule = policy.tokenFailuresPerIp;
      if (rule === undefined || address === null) return;
      const failures = await counter.read(keyOf('token_ip', clientAddressKey(address)));
      refuseIfAny([over(failures, rule.limit - 1)]);
    },

    async tokenRejected(address) {
      await hitPerAddress('token_ip', policy.tokenFailuresPerIp, address);
    },

    async refreshed(sessionUuid) {
      const rule = policy.refreshesPerSession;
      if (rule === undefined) return;
      await counter.increment(keyOf('refresh_session', sessionUuid), rule.windowSeconds * 1000);
    },
  };
}

/** The count if it is over `allowed`, else undefined. */
function over(count: AttemptCount | undefined, allowed: number | undefined): AttemptCount | undefined {
  return count !== undefined && allowed !== undefined && count.count > allowed ? count : undefined;
}

/** Throws `rate_limited` if any counter is over, to be retried once the last of them clears. */
function refuseIfAny(counts: readonly (AttemptCount | undefined)[]): void {
  const overs = counts.filter((count) => count !== undefined);
  if (overs.length === 0) return;
  const remainingMs = Math.max(...overs.map((count) => count.remainingMs));
  throw new KeycardError('rate_limited', {
    details: { retryAfterSeconds: Math.max(1, Math.ceil(remainingMs / 1000)) },
  });
}
