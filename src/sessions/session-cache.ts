import type { SessionUser } from '../accounts/user.js';
import type { Session } from './session.js';

/** A session and its user as cached, shared and handed to request handlers: never with the password hash. */
export interface CachedSession {
  readonly session: Session;
  readonly user: SessionUser;
}

/** A cached session and when it was last read from the store or the shared cache (ms). */
export interface LocalCacheEntry {
  readonly entry: CachedSession;
  readonly validatedAt: number;
}

/**
 * The in-process cache of session state that lets an authenticated request run without SQL. Only the
 * `SessionStateCache` uses it; it decides what may be trusted.
 */
export interface SessionCache {
  get(sessionUuid: string): LocalCacheEntry | undefined;
  set(sessionUuid: string, entry: CachedSession, validatedAt: number): void;
  delete(sessionUuid: string): void;
  clear(): void;
  readonly size: number;
}

/**
 * A bounded map. When full, the entry inserted longest ago is dropped (a miss only costs one query), which keeps
 * the hot path free of the bookkeeping an exact LRU needs.
 */
export class BoundedSessionCache implements SessionCache {
  readonly #entries = new Map<string, LocalCacheEntry>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 0) {
      throw new TypeError('maxEntries must be a non-negative integer');
    }
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(sessionUuid: string): LocalCacheEntry | undefined {
    return this.#entries.get(sessionUuid);
  }

  set(sessionUuid: string, entry: CachedSession, validatedAt: number): void {
    if (this.#maxEntries === 0) return;
    if (!this.#entries.has(sessionUuid) && this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(sessionUuid, { entry, validatedAt });
  }

  delete(sessionUuid: string): void {
    this.#entries.delete(sessionUuid);
  }

  clear(): void {
    this.#entries.clear();
  }
}
