/**
 * Table shapes as Kysely sees them. Times are Unix epoch milliseconds in `bigint` columns and booleans are
 * 0/1 integers, so the same migrations and queries run on SQLite and PostgreSQL.
 */
export interface UsersTable {
  uuid: string;
  email: string;
  password_hash: string;
  version: string;
  created_at: number;
  updated_at: number;
  /** Migration 0004: when the account was disabled; null while enabled. */
  disabled_at: number | null;
}

export interface SessionsTable {
  uuid: string;
  /** The API version the session was created with. */
  version: string;
  /** Null for an anonymous session (migration 0010). */
  user_uuid: string | null;
  user_agent: string | null;
  created_at: number;
  updated_at: number;
  /** The lifetime class: 0 short (`remember: false`), 1 long (`remember: true`), 2 anonymous (migration 0010). */
  remember: number;
  expires_at: number;
  access_hash: string;
  access_expires_at: number;
  refresh_hash: string;
  refresh_generation: number;
  previous_refresh_hash: string | null;
  rotated_at: number | null;
  /** Migration 0005: the session's group, its elevation and when that last changed (for the change poll). */
  group_id: string | null;
  elevated_until: number | null;
  elevation_changed_at: number | null;
  /**
   * Migration 0010: an anonymous session's id; on a user's session, the id of the anonymous session it was
   * upgraded from; else null.
   */
  anonymous_id: string | null;
}

/** Migration 0005: "claims valid after" stamps; `scope` is user, group or global. */
export interface ClaimsStampsTable {
  scope: string;
  subject: string;
  valid_after: number;
}

export interface RevokedSessionsTable {
  uuid: string;
  /** Null for an anonymous session (migration 0010). */
  user_uuid: string | null;
  reason: string;
  revoked_at: number;
  user_agent: string | null;
  api_version: string;
  access_hash: string;
  refresh_hash: string;
  refresh_generation: number;
}

/** The audit log (migration 0003). */
export interface SessionEventsTable {
  uuid: string;
  type: string;
  user_uuid: string | null;
  session_uuid: string | null;
  reason: string | null;
  ip: string | null;
  user_agent: string | null;
  occurred_at: number;
  /** Migration 0011: who acted on someone else (an administrator), and on which role or permission. */
  actor_uuid: string | null;
  role_name: string | null;
  permission_name: string | null;
}

/** JWT signing keys (migration 0008). */
export interface SigningKeysTable {
  kid: string;
  alg: string;
  sealed_private_key: string;
  created_at: number;
  retired_at: number | null;
}

/** Migration 0006: roles, permissions and who holds them. */
export interface RolesTable {
  name: string;
  description: string | null;
  created_at: number;
}

export interface PermissionsTable {
  name: string;
  description: string | null;
  created_at: number;
}

export interface RolePermissionsTable {
  role_name: string;
  permission_name: string;
}

export interface UserRolesTable {
  user_uuid: string;
  role_name: string;
}

export interface UserPermissionsTable {
  user_uuid: string;
  permission_name: string;
}

export interface KeycardDatabase {
  users: UsersTable;
  sessions: SessionsTable;
  revoked_sessions: RevokedSessionsTable;
  session_events: SessionEventsTable;
  signing_keys: SigningKeysTable;
  claims_stamps: ClaimsStampsTable;
  roles: RolesTable;
  permissions: PermissionsTable;
  role_permissions: RolePermissionsTable;
  user_roles: UserRolesTable;
  user_permissions: UserPermissionsTable;
}
