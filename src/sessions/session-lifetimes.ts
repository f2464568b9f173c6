import type { Session } from './session.js';

/** Idle and absolute timeouts of one lifetime class, in seconds. */
export interface LifetimeClass {
  readonly idleSeconds: number;
  readonly absoluteSeconds: number;
}

/**
 * The two lifetime classes of seed 000: short (90 minutes idle, for `remember: false`) and long (a week idle,
 * for `remember: true`, the default, as the sessions spec prefers long-lived sessions).
 */
export interface SessionLifetimes {
  readonly short: LifetimeClass;
  readonly long: LifetimeClass;
}

export function lifetimeClassOf(lifetimes: SessionLifetimes, remember: boolean): LifetimeClass {
  return remember ? lifetimes.long : lifetimes.short;
}

/** The fields that decide when a session ends. */
export type SessionExpiryFields = Pick<Session, 'updatedAt' | 'remember' | 'expiresAt'>;

/** When the session ends if nothing else happens: idle expiry capped by the absolute one. */
export function sessionEndsAt(lifetimes: SessionLifetimes, session: SessionExpiryFields): number {
  const idleEndsAt = session.updatedAt + lifetimeClassOf(lifetimes, session.remember).idleSeconds * 1000;
  return Math.min(idleEndsAt, session.expiresAt);
}

export function isSessionExpired(
  lifetimes: SessionLifetimes,
  session: SessionExpiryFields,
  now: number,
): boolean {
  return now >= sessionEndsAt(lifetimes, session);
}
