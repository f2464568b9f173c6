import type { AuditEvent } from '../../audit/audit-event.js';
import type { AuditLogStore } from '../../audit/audit-log-store.js';

/** Newest first: by time, then by uuid (descending), as the SQL stores order them. */
function newestFirst(a: AuditEvent, b: AuditEvent): number {
  if (a.occurredAt !== b.occurredAt) return b.occurredAt - a.occurredAt;
  return a.uuid < b.uuid ? 1 : a.uuid > b.uuid ? -1 : 0;
}

/** The memory store's audit log: every event in an array, scanned per query (fine for tests and trials). */
export function createMemoryAuditLog(checkOpen: () => void): AuditLogStore {
  let events: AuditEvent[] = [];
  const uuids = new Set<string>();

  /* eslint-disable @typescript-eslint/require-await -- async like a real store's, for the same interleavings */
  return {
    async deleteUserAuditEvents(userUuid) {
      checkOpen();
      events = events.filter((event) => event.userUuid !== userUuid);
    },
    async appendAuditEvents(batch) {
      checkOpen();
      // Like the SQL stores' primary key: a retried batch adds none of the rows already in.
      for (const event of batch) {
        if (uuids.has(event.uuid)) continue;
        uuids.add(event.uuid);
        events.push(event);
      }
    },
    async listAuditEvents(userUuid, before, limit) {
      checkOpen();
      return events
        .filter(
          (event) =>
            event.userUuid === userUuid &&
            (before === undefined ||
              event.occurredAt < before.occurredAt ||
              (event.occurredAt === before.occurredAt && event.uuid < before.uuid)),
        )
        .sort(newestFirst)
        .slice(0, limit);
    },
    async pruneAuditEvents(before, limit) {
      checkOpen();
      let left = limit;
      const kept = events.filter((event) => {
        if (left === 0 || event.occurredAt >= before) return true;
        left -= 1;
        uuids.delete(event.uuid);
        return false;
      });
      const pruned = events.length - kept.length;
      events = kept;
      return pruned;
    },
  };
  /* eslint-enable @typescript-eslint/require-await */
}
