import type { SessionUser } from '../accounts/user.js';
import type { Session } from './session.js';

/**
 * What a request needs of its session: all of it but the refresh chain, which only a refresh reads (from the
 * store, never from a cache).
 */
export type LiveSession = Omit<Session, 'refreshHash' | 'refreshGeneration' | 'previousRefreshHash'>;

/**
 * A session and its user as cached, shared and handed to request handlers: never with the password hash. `user`
 * is null for an anonymous session (`session.userUuid` null too).
 */
export interface CachedSession {
  readonly session: LiveSession;
  readonly user: SessionUser | null;
}

/**
 * The in-process cache of session state that lets an authenticated request run without SQL. Only the
 * `SessionStateCache` uses it; it decides what may be trusted.
 *
 * Entries are addressed by slot: `find` answers a slot number (or -1) without allocating, and the fields of a
 * slot are read through it. A slot is only valid until the next call that changes the cache.
 */
export interface SessionCache {
  readonly size: number;
  /** The slot of a cached session, or -1 (also for text that is not a session UUID). Allocates nothing. */
  find(sessionUuid: string): number;
  /** When the entry in `slot` was last read from the store or the shared cache (ms). */
  validatedAtOf(slot: number): number;
  /** Whether the access-token hash (stored form, base64url) of the entry in `slot` is `accessHash`: constant time. */
  accessHashMatches(slot: number, accessHash: string): boolean;
  /** The entry in `slot`, as one object that stays the same until the entry changes. */
  entryAt(slot: number): CachedSession;
  set(sessionUuid: string, entry: CachedSession, validatedAt: number): void;
  /** Records activity of the entry in `slot` at `updatedAt` (now); its other fields stay as they are. O(1). */
  touch(slot: number, updatedAt: number): void;
  delete(sessionUuid: string): void;
  /** Drops entries whose session ended by inactivity at `now`; the cost follows the number dropped. */
  expire(now: number): number;
  clear(): void;
}
