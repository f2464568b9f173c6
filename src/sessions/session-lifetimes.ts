import type { Session } from './session.js';

/** Idle and absolute timeouts of one lifetime class, in seconds. */
export interface LifetimeClass {
  readonly idleSeconds: number;
  readonly absoluteSeconds: number;
}

/**
 * The lifetime classes: the two of seed 000, short (90 minutes idle, for `remember: false`) and long (a week
 * idle, for `remember: true`, the default, as the sessions spec prefers long-lived sessions), and the class of
 * anonymous sessions, whatever their `remember`.
 */
export interface SessionLifetimes {
  readonly short: LifetimeClass;
  readonly long: LifetimeClass;
  readonly anonymous: LifetimeClass;
}

/** What decides a session's lifetime class: whether it has a user, and for a user's session `remember`. */
export type LifetimeClassFields = Pick<Session, 'remember' | 'userUuid'>;

export function lifetimeClassOf(lifetimes: SessionLifetimes, session: LifetimeClassFields): LifetimeClass {
  if (session.userUuid === null) return lifetimes.anonymous;
  return session.remember ? lifetimes.long : lifetimes.short;
}

/** The fields that decide when a session ends. */
export type SessionExpiryFields = Pick<Session, 'updatedAt' | 'remember' | 'expiresAt' | 'userUuid'>;

/** When the session ends if nothing else happens: idle expiry capped by the absolute one. */
export function sessionEndsAt(lifetimes: SessionLifetimes, session: SessionExpiryFields): number {
  const idleEndsAt = session.updatedAt + lifetimeClassOf(lifetimes, session).idleSeconds * 1000;
  return Math.min(idleEndsAt, session.expiresAt);
}

export function isSessionExpired(
  lifetimes: SessionLifetimes,
  session: SessionExpiryFields,
  now: number,
): boolean {
  return now >= sessionEndsAt(lifetimes, session);
}
