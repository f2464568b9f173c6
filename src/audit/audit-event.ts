import type { RevocationReason } from '../core/errors.js';

/**
 * What the audit log records about sessions and the account's security (password, email, elevation), what a
 * user holds (roles and permissions given or taken, the account disabled or enabled: in that user's history),
 * and administration of roles and permissions themselves (in the acting administrator's history).
 */
export const auditEventTypes = [
  'created',
  'refreshed',
  'revoked',
  'reuse_detected',
  'password_changed',
  'sign_in_failed',
  'elevated',
  'email_changed',
  'role_granted',
  'role_removed',
  'permission_granted',
  'permission_removed',
  'user_disabled',
  'user_enabled',
  'role_created',
  'role_deleted',
  'permission_created',
  'permission_deleted',
  'role_permission_granted',
  'role_permission_removed',
] as const;

export type AuditEventType = (typeof auditEventTypes)[number];

/** One row of the audit log (`session_events`). Never a secret, a token, a hash, a password or an email. */
export interface AuditEvent {
  /** A UUIDv7: ordered by time, then by the order one node recorded events within a millisecond. */
  readonly uuid: string;
  readonly type: AuditEventType;
  /**
   * Whose history it is in: the user it happened to, or for changes to roles and permissions themselves the
   * administrator who made them. Null for a failed sign-in with an email no account has, and for such changes
   * made from the command line.
   */
  readonly userUuid: string | null;
  /** Null for a failed sign-in, and for the sign-in (`created`) of a legacy account, which has no session. */
  readonly sessionUuid: string | null;
  /** For `revoked`: why the session ended. */
  readonly reason: RevocationReason | null;
  /** The administrator who did it (the admin API), when it was not the user themselves; null otherwise. */
  readonly actorUuid: string | null;
  /** The role given, taken, created or deleted, or whose permissions changed. */
  readonly role: string | null;
  /** The permission given, taken, created or deleted, or given to or taken from `role`. */
  readonly permission: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly occurredAt: number;
}

/** Where a page of a user's events ends: the next page holds the events strictly older than this one. */
export interface AuditPosition {
  readonly occurredAt: number;
  readonly uuid: string;
}
