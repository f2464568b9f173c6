import type { Clock } from '../core/clock.js';
import type { KeycardEventListener } from '../core/keycard-events.js';
import type { AuditLogStore } from './audit-log-store.js';
import { createAuditRecorder } from './create-audit-recorder.js';
import { type EventsPage, type EventsPageRequest, listUserEvents } from './list-user-events.js';
import { DEFAULT_AUDIT_RETENTION_SECONDS, pruneAuditLog } from './prune-audit-log.js';

/** The audit log as Keycard uses it: fed by its events, read by users (and admins), pruned by its sweep. */
export interface AuditLog {
  /** The listener that records Keycard's events: a plain `(event, at) => void`. */
  readonly record: KeycardEventListener;
  /** A page of a user's events; what this node has recorded so far is written first, so it is in the page. */
  listUserEvents(userUuid: string, page?: EventsPageRequest): Promise<EventsPage>;
  /** Deletes events past the retention; returns how many. */
  prune(): Promise<number>;
  /** Deletes a deleted account's history, what is still queued included. */
  forgetUser(userUuid: string): Promise<void>;
  /** Writes what is queued (graceful shutdown). */
  close(): Promise<void>;
}

export interface AuditLogOptions {
  readonly clock: Clock;
  /** How long events are kept (s); default 90 days. */
  readonly retentionSeconds?: number;
  /** Told when a write fails (it is retried) or events are lost. */
  readonly onError?: (error: unknown) => void;
}

export function createAuditLog(store: AuditLogStore, options: AuditLogOptions): AuditLog {
  const { clock, retentionSeconds = DEFAULT_AUDIT_RETENTION_SECONDS } = options;
  if (!Number.isSafeInteger(retentionSeconds) || retentionSeconds < 1) {
    throw new TypeError('retentionSeconds must be a positive whole number');
  }
  const recorder = createAuditRecorder(
    store,
    options.onError === undefined ? {} : { onError: options.onError },
  );
  return {
    record: recorder.record,
    async listUserEvents(userUuid, page) {
      await recorder.flush();
      return listUserEvents(store, userUuid, page);
    },
    async prune() {
      const before = clock.now() - retentionSeconds * 1000;
      // What is queued is written first, so an event recorded before the prune is judged by it like any other.
      await recorder.flush();
      return pruneAuditLog(store, before);
    },
    async forgetUser(userUuid) {
      await recorder.flush();
      await store.deleteUserAuditEvents(userUuid);
    },
    close: () => recorder.close(),
  };
}
