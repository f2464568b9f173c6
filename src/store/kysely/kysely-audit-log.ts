import type { Kysely, Selectable } from 'kysely';
import type { AuditEvent, AuditEventType } from '../../audit/audit-event.js';
import type { AuditLogStore } from '../../audit/audit-log-store.js';
import type { RevocationReason } from '../../core/errors.js';
import type { KeycardDatabase, SessionEventsTable } from './database.js';

/** Runs a store operation, translating driver errors (the Kysely store's `guard`). */
export type StoreGuard = <T>(operation: () => Promise<T>) => Promise<T>;

/** The audit log's half of the Kysely store: the `session_events` table, on SQLite and PostgreSQL alike. */
export function createKyselyAuditLog(db: Kysely<KeycardDatabase>, guard: StoreGuard): AuditLogStore {
  return {
    appendAuditEvents: (events) =>
      guard(async () => {
        if (events.length === 0) return;
        // A retried batch may already be in (the commit succeeded but its answer was lost): rows are keyed by their
        // uuid, so the retry skips them instead of failing on them for ever.
        await db
          .insertInto('session_events')
          .values(events.map(auditEventToRow))
          .onConflict((oc) => oc.column('uuid').doNothing())
          .execute();
      }),

    listAuditEvents: (userUuid, before, limit) =>
      guard(async () => {
        let query = db.selectFrom('session_events').selectAll().where('user_uuid', '=', userUuid);
        if (before !== undefined) {
          query = query.where((eb) =>
            eb.or([
              eb('occurred_at', '<', before.occurredAt),
              eb.and([eb('occurred_at', '=', before.occurredAt), eb('uuid', '<', before.uuid)]),
            ]),
          );
        }
        const rows = await query
          .orderBy('occurred_at', 'desc')
          .orderBy('uuid', 'desc')
          .limit(limit)
          .execute();
        return rows.map(auditEventFromRow);
      }),

    deleteUserAuditEvents: (userUuid) =>
      guard(async () => {
        await db.deleteFrom('session_events').where('user_uuid', '=', userUuid).execute();
      }),

    pruneAuditEvents: (before, limit) =>
      guard(async () => {
        // A bounded batch through the occurred_at index: DELETE … LIMIT is not standard SQL, a subquery is.
        const result = await db
          .deleteFrom('session_events')
          .where('uuid', 'in', (eb) =>
            eb.selectFrom('session_events').select('uuid').where('occurred_at', '<', before).limit(limit),
          )
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      }),
  };
}

// Mapped field by field, like the other rows, so no column reaches the domain by accident.

function auditEventToRow(event: AuditEvent): SessionEventsTable {
  return {
    uuid: event.uuid,
    type: event.type,
    user_uuid: event.userUuid,
    session_uuid: event.sessionUuid,
    reason: event.reason,
    ip: event.ip,
    user_agent: event.userAgent,
    occurred_at: event.occurredAt,
    actor_uuid: event.actorUuid,
    role_name: event.role,
    permission_name: event.permission,
  };
}

function auditEventFromRow(row: Selectable<SessionEventsTable>): AuditEvent {
  return {
    uuid: row.uuid,
    type: row.type as AuditEventType,
    userUuid: row.user_uuid,
    sessionUuid: row.session_uuid,
    reason: row.reason as RevocationReason | null,
    ip: row.ip,
    userAgent: row.user_agent,
    occurredAt: row.occurred_at,
    actorUuid: row.actor_uuid,
    role: row.role_name,
    permission: row.permission_name,
  };
}
