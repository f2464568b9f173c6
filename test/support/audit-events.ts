import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '../../src/audit/audit-event.js';

/** An audit event of `userUuid` at `occurredAt`, for writing straight into a store. */
export function auditEventAt(
  nextUuid: (at: number) => string,
  userUuid: string,
  occurredAt: number,
): AuditEvent {
  return {
    uuid: nextUuid(occurredAt),
    type: 'created',
    userUuid,
    sessionUuid: randomUUID(),
    reason: null,
    ip: '192.0.2.1',
    userAgent: null,
    occurredAt,
    actorUuid: null,
    role: null,
    permission: null,
  };
}
