import type { RevocationReason } from '../core/errors.js';

/** A live server-side session, as stored. Times are milliseconds since the Unix epoch. */
export interface Session {
  readonly uuid: string;
  /** The session's user; null for an anonymous session (`POST /auth/anonymous`), which has no account. */
  readonly userUuid: string | null;
  /**
   * An anonymous session's id (its JWTs' `sub`, kept across refreshes). On a user's session: the id of the
   * anonymous session it was started from by a sign-in or registration (its claims carried over); else null.
   */
  readonly anonymousId: string | null;
  /** The API version the session was created with (the spec's `version` column). */
  readonly apiVersion: string;
  readonly userAgent: string | null;
  readonly createdAt: number;
  /** Last activity; written at most once per `TOUCH_INTERVAL_MS`. */
  readonly updatedAt: number;
  /** Lifetime class: `true` is long-lived ("remember me"), `false` short-lived. */
  readonly remember: boolean;
  /** Absolute expiry: no activity extends a session past this. */
  readonly expiresAt: number;
  readonly accessHash: string;
  readonly accessExpiresAt: number;
  readonly refreshHash: string;
  /** How many times the refresh token has been rotated. */
  readonly refreshGeneration: number;
  /** Hash of the refresh token this one replaced, kept for the grace-period retry. */
  readonly previousRefreshHash: string | null;
  readonly rotatedAt: number | null;
  /** The group the session belongs to (a device fleet, an organisation): its group stamp applies. */
  readonly groupId: string | null;
  /** Until when the session is elevated (step-up, "permify"); null when it is not. */
  readonly elevatedUntil: number | null;
}

/** Whether a session belongs to no account (`POST /auth/anonymous`): it cannot do what needs a user. */
export function isAnonymous(session: { readonly userUuid: string | null }): boolean {
  return session.userUuid === null;
}

/**
 * Who a session's tokens are about: its user, or for an anonymous session its anonymous id (never a user's
 * uuid). A JWT's `sub`; what stamps of scope `user` are looked up by.
 */
export function subjectOf(session: {
  readonly userUuid: string | null;
  readonly anonymousId: string | null;
}): string {
  return session.userUuid ?? session.anonymousId ?? '';
}

/** When the access token of `session` was minted: at creation or at its last rotation (what stamps compare). */
export function accessIssuedAt(session: {
  readonly createdAt: number;
  readonly rotatedAt: number | null;
}): number {
  return session.rotatedAt ?? session.createdAt;
}

/** The tombstone of a session that ended, kept for 30 days so a returning token gets a precise answer. */
export interface RevokedSession {
  readonly uuid: string;
  /** Null for an anonymous session. */
  readonly userUuid: string | null;
  readonly reason: RevocationReason;
  readonly revokedAt: number;
  readonly userAgent: string | null;
  readonly apiVersion: string;
  /** Kept so only the holder of the session's last tokens learns why it ended. */
  readonly accessHash: string;
  readonly refreshHash: string;
  readonly refreshGeneration: number;
}

/** The new secrets and timestamps written by one refresh-token rotation. */
export interface TokenRotation {
  readonly accessHash: string;
  readonly accessExpiresAt: number;
  readonly refreshHash: string;
  readonly refreshGeneration: number;
  readonly previousRefreshHash: string;
  readonly rotatedAt: number;
  readonly updatedAt: number;
}
