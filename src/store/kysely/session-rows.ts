import type { Selectable } from 'kysely';
import type { RevocationReason } from '../../core/errors.js';
import type { User } from '../../accounts/user.js';
import type { RevokedSession, Session } from '../../sessions/session.js';
import type { RevokedSessionsTable, SessionsTable, UsersTable } from './database.js';

// Rows are mapped by hand, field by field, so a column can never reach the domain (or a response) by accident.

export function userFromRow(row: Selectable<UsersTable>): User {
  return {
    uuid: row.uuid,
    email: row.email,
    passwordHash: row.password_hash,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    disabledAt: row.disabled_at,
  };
}

export function userToRow(user: User): UsersTable {
  return {
    uuid: user.uuid,
    email: user.email,
    password_hash: user.passwordHash,
    version: user.version,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
    disabled_at: user.disabledAt,
  };
}

export function sessionFromRow(row: Selectable<SessionsTable>): Session {
  return {
    uuid: row.uuid,
    userUuid: row.user_uuid,
    anonymousId: row.anonymous_id,
    apiVersion: row.version,
    userAgent: row.user_agent,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    remember: row.remember === 1,
    expiresAt: row.expires_at,
    accessHash: row.access_hash,
    accessExpiresAt: row.access_expires_at,
    refreshHash: row.refresh_hash,
    refreshGeneration: row.refresh_generation,
    previousRefreshHash: row.previous_refresh_hash,
    rotatedAt: row.rotated_at,
    groupId: row.group_id,
    elevatedUntil: row.elevated_until,
  };
}

/**
 * The SQL type of each `sessions` column as both engines accept it in a cast: a conditional insert
 * (`INSERT … SELECT`) passes its values as parameters, whose types PostgreSQL does not infer from the target.
 */
export const SESSION_COLUMN_TYPES: Readonly<Record<keyof SessionsTable, 'text' | 'bigint'>> = {
  uuid: 'text',
  version: 'text',
  user_uuid: 'text',
  user_agent: 'text',
  created_at: 'bigint',
  updated_at: 'bigint',
  remember: 'bigint',
  expires_at: 'bigint',
  access_hash: 'text',
  access_expires_at: 'bigint',
  refresh_hash: 'text',
  refresh_generation: 'bigint',
  previous_refresh_hash: 'text',
  rotated_at: 'bigint',
  group_id: 'text',
  elevated_until: 'bigint',
  elevation_changed_at: 'bigint',
  anonymous_id: 'text',
};

/** The `remember` column holds the lifetime class (migration 0010): 0 short, 1 long, 2 anonymous. */
export const ANONYMOUS_CLASS = 2;

export function lifetimeClassColumnOf(session: Pick<Session, 'userUuid' | 'remember'>): number {
  if (session.userUuid === null) return ANONYMOUS_CLASS;
  return session.remember ? 1 : 0;
}

export function sessionToRow(session: Session): SessionsTable {
  return {
    uuid: session.uuid,
    version: session.apiVersion,
    user_uuid: session.userUuid,
    user_agent: session.userAgent,
    created_at: session.createdAt,
    updated_at: session.updatedAt,
    remember: lifetimeClassColumnOf(session),
    expires_at: session.expiresAt,
    access_hash: session.accessHash,
    access_expires_at: session.accessExpiresAt,
    refresh_hash: session.refreshHash,
    refresh_generation: session.refreshGeneration,
    previous_refresh_hash: session.previousRefreshHash,
    rotated_at: session.rotatedAt,
    group_id: session.groupId,
    elevated_until: session.elevatedUntil,
    elevation_changed_at: null,
    anonymous_id: session.anonymousId,
  };
}

export function revokedSessionFromRow(row: Selectable<RevokedSessionsTable>): RevokedSession {
  return {
    uuid: row.uuid,
    userUuid: row.user_uuid,
    reason: row.reason as RevocationReason,
    revokedAt: row.revoked_at,
    userAgent: row.user_agent,
    apiVersion: row.api_version,
    accessHash: row.access_hash,
    refreshHash: row.refresh_hash,
    refreshGeneration: row.refresh_generation,
  };
}
