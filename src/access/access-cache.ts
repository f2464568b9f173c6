import type { UserAccess } from './access-store.js';

/** A user's access as held in memory: the sets answer `has` without allocating. */
export interface CachedAccess extends UserAccess {
  readonly permissionSet: ReadonlySet<string>;
  readonly roleSet: ReadonlySet<string>;
}

interface Held {
  readonly access: CachedAccess;
  /** The user's stamp when it was read: a bump since makes it stale. */
  readonly validAfter: number;
  /** When it was read (ms): trusted by the same rule as cached sessions. */
  readonly loadedAt: number;
}

/**
 * Each user's effective roles and permissions, in memory, so a permission check on an authenticated request
 * costs no SQL. An entry is valid while the user's stamp is the one it was read under: every change to what a
 * user holds bumps that stamp (here, on the feed or at the poll), so the entry is read again at most once per
 * change. Bounded: past `capacity` users the oldest entry is dropped.
 */
export class AccessCache {
  readonly #entries = new Map<string, Held>();
  readonly #capacity: number;
  readonly #validAfterOf: (userUuid: string) => number;
  readonly #trusts: (loadedAt: number) => boolean;
  /** Counts invalidations: a read during which any happened is not kept (it may predate the change). */
  #epoch = 0;

  /**
   * `validAfterOf` is the user's current stamp; `trusts` says whether state read at a moment may still be
   * trusted (the session cache's rule). Both given once, so a lookup allocates nothing.
   */
  constructor(options: {
    capacity: number;
    validAfterOf: (userUuid: string) => number;
    trusts: (loadedAt: number) => boolean;
  }) {
    this.#capacity = Math.max(1, options.capacity);
    this.#validAfterOf = options.validAfterOf;
    this.#trusts = options.trusts;
  }

  /** The held access of a user if it was read under the user's current stamp and is trusted; else undefined. */
  find(userUuid: string): CachedAccess | undefined {
    const held = this.#entries.get(userUuid);
    if (
      held === undefined ||
      held.validAfter !== this.#validAfterOf(userUuid) ||
      !this.#trusts(held.loadedAt)
    )
      return undefined;
    return held.access;
  }

  get epoch(): number {
    return this.#epoch;
  }

  /** Drops a user's entry (a change to what they hold), or with null every entry (the global stamp moved). */
  invalidate(userUuid: string | null): void {
    this.#epoch += 1;
    if (userUuid === null) this.#entries.clear();
    else this.#entries.delete(userUuid);
  }

  /** The stamp an entry read now is read under. */
  validAfterOf(userUuid: string): number {
    return this.#validAfterOf(userUuid);
  }

  /** Keeps what was read at `loadedAt` under `validAfter` and `epoch`, unless an invalidation happened since. */
  set(
    userUuid: string,
    access: UserAccess,
    read: { validAfter: number; loadedAt: number; epoch: number },
  ): CachedAccess {
    const { validAfter, loadedAt } = read;
    const cached: CachedAccess = {
      roles: access.roles,
      permissions: access.permissions,
      permissionSet: new Set(access.permissions),
      roleSet: new Set(access.roles),
    };
    if (read.epoch !== this.#epoch) return cached;
    this.#entries.delete(userUuid);
    if (this.#entries.size >= this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(userUuid, { access: cached, validAfter, loadedAt });
    return cached;
  }

  delete(userUuid: string): void {
    this.#entries.delete(userUuid);
  }
}
