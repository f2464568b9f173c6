import type { RevocationReason } from '../core/errors.js';
import type { SessionUser, User } from '../accounts/user.js';
import type { RevokedSession, Session, TokenRotation } from './session.js';
import type { SessionLifetimes } from './session-lifetimes.js';

/** A session that a bulk operation ended. */
export interface EndedSession {
  readonly uuid: string;
  /** Null for an anonymous session. */
  readonly userUuid: string | null;
}

/** How `createUpgradedSession` went; nothing was written unless it is `created`. */
export type UpgradeOutcome =
  /** The user's session was created and the anonymous session ended (reason `upgraded`). */
  | 'created'
  /** As for `createSession`: the user does not exist or is disabled. */
  | 'refused'
  /** The anonymous session was no longer live (ended, expired and swept, upgraded by another request). */
  | 'anonymous_gone';

/** Which live sessions an administrator means: every field given must match; none given means every session. */
export interface SessionFilter {
  readonly userUuid?: string;
  readonly apiVersion?: string;
  /** Sessions in this group (`sessions.group_id`). */
  readonly groupId?: string;
}

/**
 * What sessions need from storage: a handful of domain operations, never generic CRUD.
 * Adapters translate driver errors into `KeycardError`s (`email_taken`, `store_unavailable`).
 */
export interface SessionStore {
  /** Registration: the account and its first session, both or neither. Throws `email_taken`. */
  createUserWithSession(user: User, session: Session): Promise<void>;
  /**
   * Creates the session only if its user exists and is not disabled when it commits, so a sign-in whose
   * password check began before an administrator disabled the account cannot leave a live session behind.
   * Returns whether it was created.
   */
  createSession(session: Session): Promise<boolean>;
  /** Stores a new anonymous session (`userUuid` null), which needs no account. */
  createAnonymousSession(session: Session): Promise<void>;
  /**
   * An upgrade: a sign-in (or, with `newUser`, a registration, which may throw `email_taken`) made with an
   * anonymous session's token. In one transaction: ends the anonymous session `anonymousSessionUuid` (reason
   * `upgraded`; it must be live, anonymous and have `session.anonymousId` as its id), creates `newUser` if
   * given, and creates `session` for a user that exists and is enabled, as `createSession` does. All of it or none: a failed sign-in never ends the anonymous session, and an anonymous
   * session is carried over into one user session at most.
   */
  createUpgradedSession(
    session: Session,
    anonymousSessionUuid: string,
    endedAt: number,
    newUser?: User,
  ): Promise<UpgradeOutcome>;
  findSession(uuid: string): Promise<Session | undefined>;
  /**
   * The session and its user, without the password hash: what authenticating a request needs. `user` is null
   * for an anonymous session; a user's session whose user is gone is undefined.
   */
  findSessionAndUser(uuid: string): Promise<{ session: Session; user: SessionUser | null } | undefined>;
  findRevokedSession(uuid: string): Promise<RevokedSession | undefined>;
  listUserSessions(userUuid: string): Promise<Session[]>;
  /** Records activity (`updated_at`). */
  touchSession(uuid: string, updatedAt: number): Promise<void>;
  /**
   * Writes a rotation only if the session's refresh hash is still `expectedRefreshHash` (a compare-and-set), so
   * of several concurrent refreshes exactly one wins. Returns whether this one did.
   */
  rotateSessionTokens(uuid: string, expectedRefreshHash: string, rotation: TokenRotation): Promise<boolean>;
  /**
   * Sets (a time) or clears (null) a live session's elevation, recording when it changed so the change poll
   * finds it; returns false when the session is not live.
   */
  setSessionElevation(uuid: string, elevatedUntil: number | null, changedAt: number): Promise<boolean>;
  /** Puts a live session in a group (or none); returns false when the session is not live. */
  setSessionGroup(uuid: string, groupId: string | null, changedAt: number): Promise<boolean>;
  /** Moves a session to the revoked tombstones; returns false when it was not live. */
  revokeSession(uuid: string, reason: RevocationReason, revokedAt: number): Promise<boolean>;
  /** Revokes every session of the user except `exceptUuid`; returns those revoked (never anonymous ones). */
  revokeUserSessions(
    userUuid: string,
    exceptUuid: string | null,
    reason: RevocationReason,
    revokedAt: number,
  ): Promise<EndedSession[]>;
  /** Live sessions matching `filter`, oldest first (then by uuid), at most `limit` (administration). */
  listSessions(filter: SessionFilter, limit: number): Promise<Session[]>;
  /** Revokes at most `limit` live sessions matching `filter`; returns those revoked (administration). */
  revokeSessions(
    filter: SessionFilter,
    reason: RevocationReason,
    revokedAt: number,
    limit: number,
  ): Promise<EndedSession[]>;
  /**
   * Moves sessions past their absolute or idle expiry to the tombstones (reason `expired`), at most `limit`,
   * through the expiry indexes only. Returns those moved.
   */
  sweepExpiredSessions(now: number, lifetimes: SessionLifetimes, limit: number): Promise<EndedSession[]>;
  /**
   * Sessions ended (tombstoned) or rotated (or elevated, or moved to a group) at or after `since`, at most
   * `limit` of each: how a node catches changes it did not hear about on the feed.
   */
  listSessionChangesSince(since: number, limit: number): Promise<{ ended: string[]; rotated: string[] }>;
  /** How many sessions the store holds: live ones, and expired ones the sweep has not moved out yet (metrics). */
  countSessions(): Promise<number>;
  /** Deletes tombstones older than `before`; returns how many. */
  pruneRevokedSessions(before: number): Promise<number>;
  /** Throws `store_unavailable` when the store does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
