import type { User } from './user.js';

/** A page of users, ordered by email. */
export interface UsersPageRequest {
  readonly limit: number;
  /** The last email of the previous page; none for the first page. */
  readonly afterEmail?: string;
}

/** What accounts need from storage. */
export interface UserStore {
  findUserByEmail(email: string): Promise<User | undefined>;
  findUserByUuid(uuid: string): Promise<User | undefined>;
  /** An account without a session (created by an administrator). Throws `email_taken`. */
  createUser(user: User): Promise<void>;
  /** Accounts ordered by email, at most `limit`, after `afterEmail`. */
  listUsers(page: UsersPageRequest): Promise<User[]>;
  /**
   * Sets (a time) or clears (null) `disabledAt`; returns the user as now stored, undefined if there is none.
   * `keep`: a permission (`keycard:admin`) that must keep an enabled holder; disabling its last one is refused
   * with `last_admin`, checked and done as one step (see `AccessStore`).
   */
  setUserDisabledAt(
    uuid: string,
    disabledAt: number | null,
    updatedAt: number,
    keep?: string,
  ): Promise<User | undefined>;
  /** Replaces the password hash; returns false when there is no such user. */
  setUserPassword(uuid: string, passwordHash: string, updatedAt: number): Promise<boolean>;
  /** Changes the email (normalised by the caller); throws `email_taken`; false when there is no such user. */
  setUserEmail(uuid: string, email: string, updatedAt: number): Promise<boolean>;
  /**
   * Deletes an account and everything hanging from it: live sessions, roles and permissions held, audit
   * events. Tombstones of its ended sessions stay their 30 days (so a returning token learns why). Returns
   * false when there is no such user.
   */
  deleteUser(uuid: string): Promise<boolean>;
  /** Sets the account version (an upgrade from 003); returns the user as now stored, undefined if none. */
  setUserVersion(uuid: string, version: string, updatedAt: number): Promise<User | undefined>;
}
