import type { KeycardEvent } from '../core/keycard-events.js';
import type { AuditEvent } from './audit-event.js';

/** Longest address kept: IPv6 with a zone index fits, anything longer is not an address. */
const MAX_IP_LENGTH = 64;
const MAX_USER_AGENT_LENGTH = 1024;

/**
 * The audit row a domain event makes, or undefined for events the audit log does not keep: a refresh's grace
 * retry changes nothing (the client gets the pair it was already given), and an anonymous session's events
 * belong to no user's history (nobody could read them, and anyone can start such sessions by the thousand).
 */
export function auditEventOf(event: KeycardEvent, occurredAt: number, uuid: string): AuditEvent | undefined {
  if (event.type === 'anonymous_session_started' || isAnonymousEvent(event)) {
    return undefined;
  }
  const actorUuid = event.request?.actorUuid ?? null;
  // Each row is one literal with every key, never a spread of a shared base with keys added: Node 20's V8 would
  // build new hidden classes for every event that way (see NewSessionFields in start-session.ts).
  const row = (what: RowFields): AuditEvent => ({
    uuid,
    type: what.type,
    userUuid: what.userUuid,
    sessionUuid: what.sessionUuid,
    ip: event.request?.ip?.slice(0, MAX_IP_LENGTH) ?? null,
    userAgent: event.request?.userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
    occurredAt,
    reason: what.reason ?? null,
    actorUuid,
    role: what.role ?? null,
    permission: what.permission ?? null,
  });
  switch (event.type) {
    case 'registered':
    case 'signed_in':
      return row({ type: 'created', userUuid: event.userUuid, sessionUuid: event.sessionUuid });
    case 'sign_in_failed':
      return row({ type: 'sign_in_failed', userUuid: event.userUuid, sessionUuid: null });
    case 'session_refreshed':
      if (event.retry) return undefined;
      return row({ type: 'refreshed', userUuid: event.userUuid, sessionUuid: event.sessionUuid });
    case 'session_elevated':
      return row({ type: 'elevated', userUuid: event.userUuid, sessionUuid: event.sessionUuid });
    case 'password_changed':
      return row({ type: 'password_changed', userUuid: event.userUuid, sessionUuid: event.sessionUuid });
    case 'email_changed':
      return row({ type: 'email_changed', userUuid: event.userUuid, sessionUuid: event.sessionUuid });
    // Dropping an elevation only takes a right away; a deleted account's history goes with it.
    case 'elevation_dropped':
    case 'account_deleted':
      return undefined;
    case 'refresh_reuse_detected':
      return row({ type: 'reuse_detected', userUuid: event.userUuid, sessionUuid: event.sessionUuid });
    case 'role_assigned':
    case 'role_unassigned': {
      const type = event.type === 'role_assigned' ? 'role_granted' : 'role_removed';
      return row({ type, userUuid: event.userUuid, sessionUuid: null, role: event.role });
    }
    case 'permission_assigned':
    case 'permission_unassigned': {
      const type = event.type === 'permission_assigned' ? 'permission_granted' : 'permission_removed';
      return row({ type, userUuid: event.userUuid, sessionUuid: null, permission: event.permission });
    }
    case 'user_disabled':
    case 'user_enabled':
      return row({ type: event.type, userUuid: event.userUuid, sessionUuid: null });
    // Changes to roles and permissions themselves: in the acting administrator's history.
    case 'role_created':
    case 'role_deleted':
      return row({ type: event.type, userUuid: actorUuid, sessionUuid: null, role: event.role });
    case 'permission_created':
    case 'permission_deleted':
      return row({ type: event.type, userUuid: actorUuid, sessionUuid: null, permission: event.permission });
    case 'role_permission_granted':
    case 'role_permission_revoked': {
      const type =
        event.type === 'role_permission_granted' ? 'role_permission_granted' : 'role_permission_removed';
      return row({
        type,
        userUuid: actorUuid,
        sessionUuid: null,
        role: event.role,
        permission: event.permission,
      });
    }
    case 'session_ended':
      return row({
        type: 'revoked',
        userUuid: event.userUuid,
        sessionUuid: event.sessionUuid,
        reason: event.reason,
      });
  }
}

/** What differs from one audit row to the next; the rest comes from the event's request and the recorder. */
type RowFields = Pick<AuditEvent, 'type' | 'userUuid' | 'sessionUuid'> &
  Partial<Pick<AuditEvent, 'reason' | 'role' | 'permission'>>;

/** A session event of an anonymous session (no user); `sign_in_failed` for an unknown email is not one. */
function isAnonymousEvent(event: KeycardEvent): boolean {
  return event.type !== 'sign_in_failed' && 'userUuid' in event && event.userUuid === null;
}
