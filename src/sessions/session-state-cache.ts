import type { ClaimsStamp } from '../claims/claims-stamp.js';
import type { Clock } from '../core/clock.js';
import type { RevocationReason } from '../core/errors.js';
import type { CachedSession, SessionCache } from './session-cache.js';
import type { SessionChange, SessionSync } from './session-sync.js';

/** How long an invalidation is remembered, to stop a read that raced it from caching what it read. */
const INVALIDATION_MEMORY_MS = 60_000;
const INVALIDATION_PRUNE_THRESHOLD = 10_000;

/**
 * How session reads were answered, for metrics: plain numbers bumped in place, so counting allocates nothing on
 * the hot path. A lookup is a local hit, else a shared-cache hit, else a store read.
 */
export interface SessionCacheCounters {
  localHits: number;
  sharedHits: number;
  storeReads: number;
}

export interface SessionStateCacheOptions {
  readonly local: SessionCache;
  readonly clock: Clock;
  /** The shared cache and change feed of several nodes; none for a single node. */
  readonly sync?: SessionSync;
  /** With a feed that is down: how long a local entry may be trusted after it was read (ms). */
  readonly feedDownTrustMs?: number;
  /** Without a feed: how long a local entry may be trusted (ms); unbounded by default (one node). */
  readonly maxStalenessMs?: number;
  /** Bumped on every lookup (metrics); none counts into a private object. */
  readonly counters?: SessionCacheCounters;
  /** Told of every session that ended, here or (heard on the feed or polled) elsewhere: the revocation stream. */
  readonly onEnded?: (sessionUuids: readonly string[]) => void;
  /** Told every claims stamp another node announced. */
  readonly onRemoteStamp?: (stamp: ClaimsStamp) => void;
}

/**
 * Decides which cached session state may answer a request, and keeps the caches honest when sessions change.
 *
 * Reads go local cache → shared cache → store. A local entry is trusted while the feed that would have told this
 * node about a change has been listening since the entry was read; with the feed down, only for a short bound;
 * with no feed at all, for `maxStalenessMs`. Every change made here is applied locally at once and announced to
 * the other nodes; changes announced by others (or found by the poller) drop local entries.
 */
export class SessionStateCache {
  readonly #local: SessionCache;
  readonly #clock: Clock;
  readonly #sync: SessionSync | undefined;
  readonly #feedDownTrustMs: number;
  readonly #maxStalenessMs: number;
  readonly #invalidatedAt = new Map<string, number>();
  readonly #counters: SessionCacheCounters;
  readonly #onEnded: (sessionUuids: readonly string[]) => void;
  readonly #onRemoteStamp: (stamp: ClaimsStamp) => void;

  constructor(options: SessionStateCacheOptions) {
    this.#local = options.local;
    this.#clock = options.clock;
    this.#sync = options.sync;
    this.#feedDownTrustMs = options.feedDownTrustMs ?? 1000;
    this.#maxStalenessMs = options.maxStalenessMs ?? Number.POSITIVE_INFINITY;
    this.#counters = options.counters ?? { localHits: 0, sharedHits: 0, storeReads: 0 };
    this.#onEnded = options.onEnded ?? (() => undefined);
    this.#onRemoteStamp = options.onRemoteStamp ?? (() => undefined);
  }

  get size(): number {
    return this.#local.size;
  }

  /** Starts listening to other nodes' changes (when there is a feed). */
  async start(): Promise<void> {
    await this.#sync?.start(
      (change) => this.applyRemoteChange(change),
      (stamp) => this.#onRemoteStamp(stamp),
    );
  }

  async stop(): Promise<void> {
    await this.#sync?.stop();
  }

  /**
   * The slot of the locally cached state of a session if it may be trusted, else -1: the hot path's whole lookup,
   * synchronous and allocating nothing. The slot is valid until the cache next changes. Not counted: whoever
   * answers a request from the slot calls `countLocalHit`, once.
   */
  findTrusted(sessionUuid: string, now = this.#clock.now()): number {
    const slot = this.#local.find(sessionUuid);
    if (slot === -1 || !this.#trusts(this.#local.validatedAtOf(slot), now)) return -1;
    return slot;
  }

  /** Counts a lookup answered by the in-process cache alone (metrics). */
  countLocalHit(): void {
    this.#counters.localHits += 1;
  }

  /** Whether the access-token hash of the session in `slot` is `accessHash` (stored form), in constant time. */
  accessHashMatches(slot: number, accessHash: string): boolean {
    return this.#local.accessHashMatches(slot, accessHash);
  }

  /** The session in `slot` (a slot from `findTrusted`): the same object until the session changes. */
  entryAt(slot: number): CachedSession {
    return this.#local.entryAt(slot);
  }

  /** The locally cached state of a session if it may be trusted, synchronously. */
  peek(sessionUuid: string): CachedSession | undefined {
    const slot = this.findTrusted(sessionUuid);
    if (slot === -1) return undefined;
    this.countLocalHit();
    return this.#local.entryAt(slot);
  }

  /** Cached state of a session, if it may be trusted; otherwise from the shared cache or `load` (the store). */
  async read(
    sessionUuid: string,
    load: () => Promise<CachedSession | undefined>,
  ): Promise<CachedSession | undefined> {
    const now = this.#clock.now();
    const local = this.peek(sessionUuid);
    if (local !== undefined) return local;

    const shared = await this.#sync?.get(sessionUuid);
    if (shared !== undefined) this.#counters.sharedHits += 1;
    if (shared === 'ended') {
      this.#local.delete(sessionUuid);
      return undefined;
    }
    if (shared !== undefined) {
      this.#cacheLocally(sessionUuid, shared, now);
      return shared;
    }
    this.#counters.storeReads += 1;
    return this.reload(sessionUuid, load);
  }

  /**
   * Reads straight from the store, past both caches, and caches the answer. Used on a miss, and before any
   * refusal that was based on cached state (which may be older than the store).
   */
  async reload(
    sessionUuid: string,
    load: () => Promise<CachedSession | undefined>,
  ): Promise<CachedSession | undefined> {
    const readStartedAt = this.#clock.now();
    const entry = await load();
    if (entry === undefined) {
      this.#local.delete(sessionUuid);
      return undefined;
    }
    if (this.#cacheLocally(sessionUuid, entry, readStartedAt)) await this.#sync?.offer(sessionUuid, entry);
    return entry;
  }

  /** A session just created here. */
  remember(entry: CachedSession): void {
    this.#setLocally(entry.session.uuid, entry, this.#clock.now());
  }

  /**
   * Activity recorded on a session (`entry` is its state with the new `updatedAt`); not worth telling anyone. A
   * cached entry keeps its `validatedAt`: only its activity time changes, and it moves to the back of its list.
   */
  touched(entry: CachedSession): void {
    const { uuid, updatedAt } = entry.session;
    const slot = this.#local.find(uuid);
    if (slot === -1) this.#setLocally(uuid, entry, this.#clock.now());
    else this.#local.touch(slot, updatedAt);
  }

  /** Sessions this node ended: dropped here, marked ended in the shared cache and announced. */
  async ended(sessionUuids: readonly string[], reason?: RevocationReason): Promise<void> {
    if (sessionUuids.length === 0) return;
    this.#invalidate(sessionUuids);
    this.#onEnded(sessionUuids);
    await this.#sync?.announce({ kind: 'ended', sessionUuids, ...(reason === undefined ? {} : { reason }) });
  }

  /** A session this node rotated: its new state replaces the old everywhere. */
  async rotated(entry: CachedSession): Promise<void> {
    const { uuid } = entry.session;
    this.#invalidate([uuid]);
    this.#setLocally(uuid, entry, this.#clock.now());
    await this.#sync?.announce({ kind: 'rotated', sessionUuids: [uuid] }, entry);
  }

  /** A claims stamp bumped here (already stored and applied locally): told to the other nodes. */
  async stampBumped(stamp: ClaimsStamp): Promise<void> {
    await this.#sync?.announceStamp(stamp);
  }

  /**
   * Whether state cached at `validatedAt` may still be trusted, by the same rule as sessions (the feed listening
   * since, else a short bound): for other per-user state kept in memory next to the sessions.
   */
  trusts(validatedAt: number): boolean {
    return this.#trusts(validatedAt, this.#clock.now());
  }

  /** A change announced by another node. */
  applyRemoteChange(change: SessionChange): void {
    this.#invalidate(change.sessionUuids);
    if (change.kind === 'ended') this.#onEnded(change.sessionUuids);
  }

  /**
   * Changes found in the store by the poller. Those not heard on the feed may have been made by a node that
   * could not reach the shared cache, so they are also marked there.
   */
  async applyPolledChange(change: SessionChange): Promise<void> {
    const unheard = change.sessionUuids.filter((uuid) => !this.#invalidatedAt.has(uuid));
    if (unheard.length === 0) return;
    this.#invalidate(unheard);
    if (change.kind === 'ended') this.#onEnded(unheard);
    await this.#sync?.forget({ kind: change.kind, sessionUuids: unheard });
  }

  /** Drops every local entry (too many changes to apply one by one). */
  clear(): void {
    this.#local.clear();
  }

  #trusts(validatedAt: number, now: number): boolean {
    if (this.#sync === undefined) return now - validatedAt <= this.#maxStalenessMs;
    const since = this.#sync.listeningSince();
    if (since !== undefined) return validatedAt >= since;
    return now - validatedAt <= this.#feedDownTrustMs;
  }

  /** Caches `entry` unless the session changed after the read began; returns whether it did. */
  #cacheLocally(sessionUuid: string, entry: CachedSession, readStartedAt: number): boolean {
    const invalidatedAt = this.#invalidatedAt.get(sessionUuid);
    if (invalidatedAt !== undefined && invalidatedAt >= readStartedAt) return false;
    this.#setLocally(sessionUuid, entry, readStartedAt);
    return true;
  }

  /** Every write first drops what expired, so the cost of expiry is spread over writes and follows what expired. */
  #setLocally(sessionUuid: string, entry: CachedSession, validatedAt: number): void {
    this.#local.expire(this.#clock.now());
    this.#local.set(sessionUuid, entry, validatedAt);
  }

  #invalidate(sessionUuids: readonly string[]): void {
    const now = this.#clock.now();
    for (const uuid of sessionUuids) {
      this.#local.delete(uuid);
      this.#invalidatedAt.set(uuid, now);
    }
    if (this.#invalidatedAt.size > INVALIDATION_PRUNE_THRESHOLD) {
      for (const [uuid, at] of this.#invalidatedAt) {
        if (now - at > INVALIDATION_MEMORY_MS) this.#invalidatedAt.delete(uuid);
      }
    }
  }
}
