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
  /** Sets (a time) or clears (null) `disabledAt`; returns the user as now stored, undefined if there is none. */
  setUserDisabledAt(uuid: string, disabledAt: number | null, updatedAt: number): Promise<User | undefined>;
  /** Sets the account version (an upgrade from 003); returns the user as now stored, undefined if none. */
  setUserVersion(uuid: string, version: string, updatedAt: number): Promise<User | undefined>;
}
