import type { CachedSession } from '../../src/sessions/session-cache.js';

/**
 * The in-process session cache Keycard had before the session ledger, kept as the ledger bench's baseline: a
 * bounded Map holding one object per session.
 */

/** A cached session and when it was last read from the store or the shared cache (ms). */
export interface LocalCacheEntry {
  readonly entry: CachedSession;
  readonly validatedAt: number;
}

/**
 * A bounded map. When full, the entry inserted longest ago is dropped (a miss only costs one query), which keeps
 * the hot path free of the bookkeeping an exact LRU needs.
 */
export class BoundedSessionCache {
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
