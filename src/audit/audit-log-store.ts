import type { AuditEvent, AuditPosition } from './audit-event.js';

/**
 * What the audit log needs from storage (the store of record's `session_events` table). Adapters translate
 * driver errors into `KeycardError`s (`store_unavailable`).
 */
export interface AuditLogStore {
  /** Appends events, in one statement where the store allows. */
  appendAuditEvents(events: readonly AuditEvent[]): Promise<void>;
  /** A user's events newest first (by time, then uuid), strictly before `before` when given; at most `limit`. */
  listAuditEvents(userUuid: string, before: AuditPosition | undefined, limit: number): Promise<AuditEvent[]>;
  /** Deletes every event of a user (their account was deleted). */
  deleteUserAuditEvents(userUuid: string): Promise<void>;
  /** Deletes at most `limit` events that occurred before `before`; returns how many. */
  pruneAuditEvents(before: number, limit: number): Promise<number>;
}
