import type { RevocationReason } from '../core/errors.js';

/** What the audit log records about sessions and the account's security (password, email, elevation). */
export const auditEventTypes = [
  'created',
  'refreshed',
  'revoked',
  'reuse_detected',
  'password_changed',
  'sign_in_failed',
  'elevated',
  'email_changed',
] as const;

export type AuditEventType = (typeof auditEventTypes)[number];

/** One row of the audit log (`session_events`). Never a secret, a token, a hash, a password or an email. */
export interface AuditEvent {
  /** A UUIDv7: ordered by time, then by the order one node recorded events within a millisecond. */
  readonly uuid: string;
  readonly type: AuditEventType;
  /** Null for a failed sign-in with an email no account has. */
  readonly userUuid: string | null;
  /** Null for a failed sign-in, and for the sign-in (`created`) of a legacy account, which has no session. */
  readonly sessionUuid: string | null;
  /** For `revoked`: why the session ended. */
  readonly reason: RevocationReason | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly occurredAt: number;
}

/** Where a page of a user's events ends: the next page holds the events strictly older than this one. */
export interface AuditPosition {
  readonly occurredAt: number;
  readonly uuid: string;
}
