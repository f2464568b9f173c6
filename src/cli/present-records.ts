import type { AuditEvent } from '../audit/audit-event.js';
import type { ManagedUser } from '../keycard-admin.js';
import type { Session } from '../sessions/session.js';
import { type SessionLifetimes, sessionEndsAt } from '../sessions/session-lifetimes.js';
import { isoOrDash } from './print-output.js';

// How the commands show records: snake_case JSON like the HTTP API (times in ISO 8601), and table rows.

export function userJson(user: ManagedUser) {
  return {
    uuid: user.uuid,
    email: user.email,
    version: user.version,
    created_at: new Date(user.createdAt).toISOString(),
    updated_at: new Date(user.updatedAt).toISOString(),
    disabled_at: user.disabledAt === null ? null : new Date(user.disabledAt).toISOString(),
  };
}

export const userColumns = ['uuid', 'email', 'created_at', 'disabled_at'] as const;

export function userRow(user: ManagedUser): string[] {
  return [user.uuid, user.email, isoOrDash(user.createdAt), isoOrDash(user.disabledAt)];
}

export function sessionJson(session: Session, lifetimes: SessionLifetimes) {
  return {
    uuid: session.uuid,
    user_uuid: session.userUuid,
    /** An anonymous session's id (then `user_uuid` is null), or the one a user's session was upgraded from. */
    anonymous_id: session.anonymousId,
    api_version: session.apiVersion,
    user_agent: session.userAgent,
    created_at: new Date(session.createdAt).toISOString(),
    updated_at: new Date(session.updatedAt).toISOString(),
    /** When it ends if unused: the idle expiry capped by the absolute one (as in the HTTP API). */
    expires_at: new Date(sessionEndsAt(lifetimes, session)).toISOString(),
    remember: session.remember,
  };
}

export const sessionColumns = ['uuid', 'user_uuid', 'api_version', 'updated_at', 'expires_at'] as const;

export function sessionRow(session: Session, lifetimes: SessionLifetimes): string[] {
  return [
    session.uuid,
    session.userUuid ?? 'anonymous',
    session.apiVersion,
    isoOrDash(session.updatedAt),
    isoOrDash(sessionEndsAt(lifetimes, session)),
  ];
}

export function eventJson(event: AuditEvent) {
  return {
    uuid: event.uuid,
    type: event.type,
    session_uuid: event.sessionUuid,
    reason: event.reason,
    ip: event.ip,
    user_agent: event.userAgent,
    occurred_at: new Date(event.occurredAt).toISOString(),
    actor_uuid: event.actorUuid,
    role: event.role,
    permission: event.permission,
  };
}

export const eventColumns = ['occurred_at', 'type', 'detail', 'session_uuid', 'ip', 'actor'] as const;

/** What an event was about, in one cell: a revocation's reason, or the role and permission it concerned. */
function detailOf(event: AuditEvent): string {
  const parts = [event.reason, event.role, event.permission].filter((part) => part !== null);
  return parts.length === 0 ? '-' : parts.join(' ');
}

export function eventRow(event: AuditEvent): string[] {
  return [
    isoOrDash(event.occurredAt),
    event.type,
    detailOf(event),
    event.sessionUuid ?? '-',
    event.ip ?? '-',
    event.actorUuid ?? '-',
  ];
}
