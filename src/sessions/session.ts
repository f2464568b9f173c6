import type { RevocationReason } from '../core/errors.js';

/** A live server-side session, as stored. Times are milliseconds since the Unix epoch. */
export interface Session {
  readonly uuid: string;
  readonly userUuid: string;
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
  readonly userUuid: string;
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
