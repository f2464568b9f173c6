import { isKeycardError } from '../core/errors.js';
import type { KeycardEventListener } from '../core/keycard-events.js';
import type { AuditEvent } from './audit-event.js';
import { auditEventOf } from './audit-event-of.js';
import { createAuditEventIds } from './audit-event-ids.js';
import type { AuditLogStore } from './audit-log-store.js';

export interface AuditRecorder {
  /** A listener for Keycard's events: queues the audit row and returns at once. Never throws. */
  readonly record: KeycardEventListener;
  /** Resolves once every event recorded so far is written, or its write failed (and was reported). */
  flush(): Promise<void>;
  /** Flushes, then records nothing more; events that still could not be written are reported as lost. */
  close(): Promise<void>;
}

export interface AuditRecorderOptions {
  /** Told when a write fails (it is retried) and when events are lost. */
  readonly onError?: (error: unknown) => void;
  /** Rows per INSERT; default 500. */
  readonly maxBatch?: number;
  /** Rows kept while the store is failing; beyond it new events are dropped (and reported). Default 100 000. */
  readonly maxPending?: number;
  /** How long after a failed write it is retried; default 1 s. */
  readonly retryDelayMs?: number;
  /**
   * Writes of one batch the store refuses for a reason other than being unavailable, before the batch is dropped
   * (and reported); default 3. Such a refusal would otherwise repeat for ever and hold up every row behind it.
   */
  readonly maxRefusals?: number;
  /**
   * How long rows gather after a write before the next one, while writes follow each other that closely (under
   * load); default 50 ms. At rest a row is written on the next turn of the event loop.
   */
  readonly gatherMs?: number;
}

/**
 * Writes audit rows off the request path. A request only queues its row; at rest the queue is written on the next
 * turn of the event loop (within a millisecond or so). While one write is in flight the next rows gather behind
 * it, and when writes follow each other closely rows gather for `gatherMs` more, so under load a write carries
 * many rows (group commit). A failed write is
 * retried; `close()` (Keycard's graceful shutdown) writes whatever is queued.
 */
export function createAuditRecorder(store: AuditLogStore, options: AuditRecorderOptions = {}): AuditRecorder {
  const {
    onError = () => undefined,
    maxBatch = 500,
    maxPending = 100_000,
    retryDelayMs = 1000,
    maxRefusals = 3,
    gatherMs = 50,
  } = options;
  const nextUuid = createAuditEventIds();
  const pending: AuditEvent[] = [];
  let writing: Promise<void> | undefined;
  let scheduled = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let overflowing = false;
  let closed = false;
  /** Failed writes in a row of the batch at the front of the queue, while the store was up. */
  let refusals = 0;
  /** When the last write ended (performance.now()), to tell a busy log from one at rest. */
  let lastWriteEndedAt = -Infinity;

  async function writeQueued(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending.slice(0, maxBatch);
      await store.appendAuditEvents(batch);
      // Only this loop removes rows, and from the front: rows queued meanwhile are behind the batch.
      pending.splice(0, batch.length);
      refusals = 0;
    }
    overflowing = false;
  }

  function write(): Promise<void> {
    writing ??= writeQueued().then(
      () => {
        writing = undefined;
        lastWriteEndedAt = performance.now();
        if (pending.length > 0) schedule(); // queued just as the loop ended
      },
      (error: unknown) => {
        writing = undefined;
        onError(error);
        // An unavailable store is waited for (the queue is bounded); a store that is up but refuses the rows
        // (a value it cannot hold) would refuse them again, so after a few tries that batch is given up.
        if (!isKeycardError(error, 'store_unavailable')) refusals += 1;
        if (refusals >= maxRefusals) {
          refusals = 0;
          const dropped = pending.splice(0, Math.min(maxBatch, pending.length));
          onError(new Error(`audit log: dropped ${dropped.length} events the store refused to write`));
          if (pending.length > 0) schedule();
          return;
        }
        retryLater();
      },
    );
    return writing;
  }

  function schedule(): void {
    if (scheduled || closed) return;
    scheduled = true;
    const run = () => {
      scheduled = false;
      void write();
    };
    // Under load, rows gather for a while and go in one INSERT: on SQLite a sign-in's audit row written alone
    // cost about a quarter of the sign-in's SQL time (`npm run bench -- sign-in`).
    if (performance.now() - lastWriteEndedAt < gatherMs) setTimeout(run, gatherMs).unref();
    else setImmediate(run);
  }

  function retryLater(): void {
    if (retryTimer !== undefined || closed) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void write();
    }, retryDelayMs);
    retryTimer.unref();
  }

  return {
    record(event, at) {
      if (closed) return;
      const row = auditEventOf(event, at, nextUuid(at));
      if (row === undefined) return;
      if (pending.length >= maxPending) {
        if (!overflowing) onError(new Error('audit log: the store is not keeping up; dropping events'));
        overflowing = true;
        return;
      }
      pending.push(row);
      if (writing === undefined && retryTimer === undefined) schedule();
    },

    flush: () => write(),

    async close() {
      closed = true;
      clearTimeout(retryTimer);
      retryTimer = undefined;
      await write();
      if (pending.length > 0) await write(); // once more, if the last write failed
      if (pending.length > 0) {
        onError(new Error(`audit log: ${pending.length} events could not be written before shutdown`));
      }
    },
  };
}
