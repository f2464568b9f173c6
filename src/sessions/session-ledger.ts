import { Buffer } from 'node:buffer';
import type { SessionUser } from '../accounts/user.js';
import { ACCESS_HASH_BYTES, accessHashEquals, decodeAccessHash } from './access-hash-bytes.js';
import { InternTable } from './intern-table.js';
import type { CachedSession, LiveSession, SessionCache } from './session-cache.js';
import type { SessionLifetimes } from './session-lifetimes.js';
import { formatUuidWords, parseUuidWords, UUID_WORDS } from './uuid-words.js';

/** The seed's "offset list": session slots in typed arrays, one list per lifetime class, and a free list. */
export interface SessionLedgerOptions {
  /** Most sessions held; when full, the least recently active one makes room. `0` caches nothing. */
  readonly capacity: number;
  /** The idle timeout of each class orders its list and decides what `expire` drops. */
  readonly lifetimes: SessionLifetimes;
  /** Times are kept as 40-bit millisecond offsets around this moment (±17 years); default: now. */
  readonly epochMs?: number;
}

/**
 * Descriptive fields many sessions share (browsers of one version, one API version), interned together. The
 * anonymous id is one of them: each anonymous session (and each session upgraded from one) has a descriptor of
 * its own, which costs such sessions a map entry; the many plain user sessions share theirs as before.
 */
interface SessionDescriptor {
  readonly apiVersion: string;
  readonly userAgent: string | null;
  readonly remember: boolean;
  readonly groupId: string | null;
  readonly anonymousId: string | null;
}

const NONE = -1;
/** Lifetime classes, each with its list: `remember: false`, `remember: true`, anonymous sessions. */
const SHORT = 0;
const LONG = 1;
const ANONYMOUS = 2;
const CLASSES = [SHORT, LONG, ANONYMOUS] as const;
/** The user id of an anonymous session's slot: no user is interned for it. */
const NO_USER = 0xffff_ffff;
/**
 * Per slot: created, updated (last activity), absolute expiry, access-token expiry, validated, access token
 * issued (creation or last rotation), elevated until (ms; `NO_TIME` for none).
 */
const CREATED_AT = 0;
const UPDATED_AT = 1;
const EXPIRES_AT = 2;
const ACCESS_EXPIRES_AT = 3;
const VALIDATED_AT = 4;
const ISSUED_AT = 5;
const ELEVATED_UNTIL = 6;
const TIMES = 7;
/** The offset that stands for "no time" (null): the epoch's far past end, never a real time in range. */
const NO_TIME = 0;
const TWO_32 = 4_294_967_296;
const TIME_RANGE = 2 ** 40;
/** Buckets per slot in the UUID index: a load of at most 2/3 keeps linear probing short. */
const BUCKETS_PER_SLOT = 1.5;
/**
 * Views (the objects `entryAt` hands out) kept so that a busy session's requests share one object, direct-mapped
 * by slot. A view is kept only when its slot is asked for a second time in a row at its memo index: a view kept
 * on first sight would survive young-generation collections for nothing under spread-out traffic (1M sessions
 * each asked once in a while), and copying survivors is what a scavenge's pause is made of.
 */
const MAX_MEMOIZED_VIEWS = 4096;

/** Scratch for the UUID being looked up: parsing into it is what lets `find` allocate nothing. */
const KEY = new Uint32Array(UUID_WORDS);

/**
 * The in-process session cache as a fixed table of slots (the seed's "offset list"), with no object per session.
 *
 * - Columns are typed arrays indexed by slot: the UUID (4 × u32), the access-token hash (32 bytes), seven times
 *   (40-bit ms offsets from an epoch), the user and the descriptor (ids into tables of shared values, each with
 *   a reference count), and `prev`/`next` links. About 105 bytes a session, index included.
 * - An open-addressing index (linear probing, backward-shift deletion) maps the UUID's 128 bits, parsed with
 *   `charCodeAt`, to a slot: `find` allocates nothing.
 * - Each lifetime class has one list from least to most recently active. A class has one idle timeout, so that
 *   order is idle-expiry order: `expire` pops heads while they have expired, and the cost follows the number
 *   dropped. Recording activity moves a slot to its tail. An entry read from the store with an older activity
 *   time is appended all the same, so it may leave up to one idle timeout late, never early: every entry ahead of
 *   it was last active before it was appended. Expiry is also checked on every request, so this is about memory
 *   only. Absolute expiry is checked on the request (which then ends the session) and at the heads.
 * - When full, the least recently active of the two heads makes room; free slots are reused first.
 * - `entryAt` builds the object a request handler sees once per change of the slot and keeps a bounded number of
 *   them (direct-mapped by slot), so a busy session answers with the same object every time.
 */
export class SessionLedger implements SessionCache {
  readonly #capacity: number;
  readonly #idleMs: readonly [number, number, number];
  readonly #timeBase: number;
  readonly #uuids: Uint32Array;
  readonly #accessHashes: Uint8Array;
  readonly #timesLow: Uint32Array;
  readonly #timesHigh: Uint8Array;
  readonly #userIds: Uint32Array;
  readonly #descriptorIds: Uint32Array;
  readonly #previous: Int32Array;
  readonly #next: Int32Array;
  readonly #buckets: Int32Array;
  readonly #heads = new Int32Array([NONE, NONE, NONE]);
  readonly #tails = new Int32Array([NONE, NONE, NONE]);
  readonly #users = new InternTable<SessionUser>();
  readonly #descriptors = new InternTable<SessionDescriptor>();
  readonly #views: (CachedSession | undefined)[];
  readonly #viewSlots: Int32Array;
  /** Per memo index: the slot last asked for there without a kept view (kept at its next ask). */
  readonly #viewCandidates: Int32Array;
  readonly #seed = (Math.random() * TWO_32) | 0;
  #freeHead = NONE;
  #neverUsed = 0;
  #size = 0;

  constructor(options: SessionLedgerOptions) {
    const { capacity, lifetimes } = options;
    if (!Number.isSafeInteger(capacity) || capacity < 0 || capacity >= 2 ** 31 / UUID_WORDS) {
      throw new TypeError('capacity must be an integer from 0 to 536870911');
    }
    this.#capacity = capacity;
    this.#idleMs = [
      lifetimes.short.idleSeconds * 1000,
      lifetimes.long.idleSeconds * 1000,
      lifetimes.anonymous.idleSeconds * 1000,
    ];
    this.#timeBase = Math.floor(options.epochMs ?? Date.now()) - TIME_RANGE / 2;
    this.#uuids = new Uint32Array(capacity * UUID_WORDS);
    this.#accessHashes = new Uint8Array(capacity * ACCESS_HASH_BYTES);
    this.#timesLow = new Uint32Array(capacity * TIMES);
    this.#timesHigh = new Uint8Array(capacity * TIMES);
    this.#userIds = new Uint32Array(capacity);
    this.#descriptorIds = new Uint32Array(capacity);
    this.#previous = new Int32Array(capacity);
    this.#next = new Int32Array(capacity);
    this.#buckets = new Int32Array(capacity === 0 ? 0 : Math.ceil(capacity * BUCKETS_PER_SLOT) + 1).fill(
      NONE,
    );
    let memo = 1;
    while (memo < Math.min(capacity, MAX_MEMOIZED_VIEWS)) memo *= 2;
    this.#views = new Array<CachedSession | undefined>(memo).fill(undefined);
    this.#viewSlots = new Int32Array(memo).fill(NONE);
    this.#viewCandidates = new Int32Array(memo).fill(NONE);
  }

  get size(): number {
    return this.#size;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Distinct users held (each once, however many of their sessions are cached). */
  get userCount(): number {
    return this.#users.size;
  }

  /** Bytes of the fixed table: every typed array, sized by the capacity. */
  get tableBytes(): number {
    return [
      this.#uuids,
      this.#accessHashes,
      this.#timesLow,
      this.#timesHigh,
      this.#userIds,
      this.#descriptorIds,
      this.#previous,
      this.#next,
      this.#buckets,
    ].reduce((total, column) => total + column.byteLength, 0);
  }

  find(sessionUuid: string): number {
    if (this.#capacity === 0 || !parseUuidWords(sessionUuid, KEY, 0)) return NONE;
    const bucket = this.#bucketHoldingKey();
    return bucket === NONE ? NONE : (this.#buckets[bucket] ?? NONE);
  }

  validatedAtOf(slot: number): number {
    return this.#timeAt(slot, VALIDATED_AT);
  }

  /** Last activity of the entry in `slot` (ms). */
  updatedAtOf(slot: number): number {
    return this.#timeAt(slot, UPDATED_AT);
  }

  accessHashMatches(slot: number, accessHash: string): boolean {
    return accessHashEquals(accessHash, this.#accessHashes, slot * ACCESS_HASH_BYTES);
  }

  entryAt(slot: number): CachedSession {
    const memo = slot & (this.#viewSlots.length - 1);
    if (this.#viewSlots[memo] === slot) {
      const view = this.#views[memo];
      if (view !== undefined) return view;
    }
    const descriptor = this.#descriptors.valueOf(this.#descriptorIds[slot] ?? 0);
    const userId = this.#userIds[slot] ?? NO_USER;
    const user = userId === NO_USER ? null : this.#users.valueOf(userId);
    const hashOffset = slot * ACCESS_HASH_BYTES;
    const createdAt = this.#timeAt(slot, CREATED_AT);
    const issuedAt = this.#timeAt(slot, ISSUED_AT);
    const session: LiveSession = {
      uuid: formatUuidWords(this.#uuids, slot * UUID_WORDS),
      userUuid: user === null ? null : user.uuid,
      anonymousId: descriptor.anonymousId,
      apiVersion: descriptor.apiVersion,
      userAgent: descriptor.userAgent,
      createdAt,
      updatedAt: this.#timeAt(slot, UPDATED_AT),
      remember: descriptor.remember,
      expiresAt: this.#timeAt(slot, EXPIRES_AT),
      accessHash: Buffer.from(this.#accessHashes.buffer, hashOffset, ACCESS_HASH_BYTES).toString('base64url'),
      accessExpiresAt: this.#timeAt(slot, ACCESS_EXPIRES_AT),
      rotatedAt: createdAt === issuedAt ? null : issuedAt,
      groupId: descriptor.groupId,
      elevatedUntil: this.#optionalTimeAt(slot, ELEVATED_UNTIL),
    };
    const view: CachedSession = { session, user };
    if (this.#viewCandidates[memo] === slot) {
      this.#viewSlots[memo] = slot;
      this.#views[memo] = view;
    } else {
      this.#viewCandidates[memo] = slot;
    }
    return view;
  }

  set(sessionUuid: string, entry: CachedSession, validatedAt: number): void {
    if (this.#capacity === 0) return;
    const { session, user } = entry;
    const times = [
      session.createdAt,
      session.updatedAt,
      session.expiresAt,
      session.accessExpiresAt,
      validatedAt,
      session.rotatedAt ?? session.createdAt,
    ];
    const elevatedUntil = session.elevatedUntil;
    if (
      !parseUuidWords(sessionUuid, KEY, 0) ||
      !times.every((time) => this.#fits(time)) ||
      (elevatedUntil !== null && !this.#fits(elevatedUntil))
    ) {
      // Not representable here (a time 17 years away, a foreign UUID): not cached, so always read from the store.
      this.delete(sessionUuid);
      return;
    }
    const bucket = this.#bucketHoldingKey();
    let slot = bucket === NONE ? NONE : (this.#buckets[bucket] ?? NONE);
    const userId =
      user === null
        ? NO_USER
        : this.#users.acquire(user.uuid, user, (held, offered) => offered.updatedAt > held.updatedAt);
    const descriptorId = this.#descriptors.acquire(
      `${session.remember ? 'L' : 'S'}${session.groupId === null ? '' : `@${session.groupId}`}${session.anonymousId === null ? '' : `#${session.anonymousId}`}\n${session.apiVersion}\n${session.userAgent === null ? '' : `=${session.userAgent}`}`,
      {
        apiVersion: session.apiVersion,
        userAgent: session.userAgent,
        remember: session.remember,
        groupId: session.groupId,
        anonymousId: session.anonymousId,
      },
    );
    if (slot === NONE) {
      slot = this.#allocate();
      this.#uuids.set(KEY, slot * UUID_WORDS);
      this.#index(slot);
      this.#size += 1;
    } else {
      this.#unlink(slot);
      this.#releaseUser(slot);
      this.#descriptors.release(this.#descriptorIds[slot] ?? 0);
      this.#forgetView(slot);
    }
    if (!decodeAccessHash(session.accessHash, this.#accessHashes, slot * ACCESS_HASH_BYTES)) {
      this.#accessHashes.fill(0, slot * ACCESS_HASH_BYTES, (slot + 1) * ACCESS_HASH_BYTES); // matches nothing
    }
    times.forEach((time, field) => this.#setTime(slot, field, time));
    if (elevatedUntil === null) this.#clearTime(slot, ELEVATED_UNTIL);
    else this.#setTime(slot, ELEVATED_UNTIL, elevatedUntil);
    this.#userIds[slot] = userId;
    this.#descriptorIds[slot] = descriptorId;
    this.#append(slot, this.#classOf(slot));
  }

  touch(slot: number, updatedAt: number): void {
    if (!this.#fits(updatedAt)) {
      this.#remove(slot);
      return;
    }
    this.#setTime(slot, UPDATED_AT, updatedAt);
    this.#forgetView(slot);
    const lifetimeClass = this.#classOf(slot);
    if (this.#tails[lifetimeClass] === slot) return;
    this.#unlink(slot);
    this.#append(slot, lifetimeClass);
  }

  delete(sessionUuid: string): void {
    const slot = this.find(sessionUuid);
    if (slot !== NONE) this.#remove(slot);
  }

  expire(now: number): number {
    let dropped = 0;
    for (const lifetimeClass of CLASSES) {
      const idleMs = this.#idleMs[lifetimeClass];
      for (
        let head = this.#heads[lifetimeClass] ?? NONE;
        head !== NONE;
        head = this.#heads[lifetimeClass] ?? NONE
      ) {
        const endsAt = Math.min(this.#timeAt(head, UPDATED_AT) + idleMs, this.#timeAt(head, EXPIRES_AT));
        if (endsAt > now) break;
        this.#remove(head);
        dropped += 1;
      }
    }
    return dropped;
  }

  clear(): void {
    this.#buckets.fill(NONE);
    this.#heads.fill(NONE);
    this.#tails.fill(NONE);
    this.#users.clear();
    this.#descriptors.clear();
    this.#viewSlots.fill(NONE);
    this.#viewCandidates.fill(NONE);
    this.#views.fill(undefined);
    this.#freeHead = NONE;
    this.#neverUsed = 0;
    this.#size = 0;
  }

  /**
   * The slots of one class from head (least recently active) to tail; for tests and inspection. `remember`
   * names a user's class; `'anonymous'` the class of anonymous sessions.
   */
  slotsInOrder(remember: boolean | 'anonymous'): number[] {
    const slots: number[] = [];
    for (
      let slot = this.#heads[remember === 'anonymous' ? ANONYMOUS : remember ? LONG : SHORT] ?? NONE;
      slot !== NONE;
      slot = this.#next[slot] ?? NONE
    ) {
      slots.push(slot);
    }
    return slots;
  }

  #timeAt(slot: number, field: number): number {
    const index = slot * TIMES + field;
    return (this.#timesHigh[index] ?? 0) * TWO_32 + (this.#timesLow[index] ?? 0) + this.#timeBase;
  }

  #optionalTimeAt(slot: number, field: number): number | null {
    const index = slot * TIMES + field;
    return this.#timesHigh[index] === 0 && this.#timesLow[index] === NO_TIME
      ? null
      : this.#timeAt(slot, field);
  }

  #clearTime(slot: number, field: number): void {
    this.#timesHigh[slot * TIMES + field] = 0;
    this.#timesLow[slot * TIMES + field] = NO_TIME;
  }

  /** Whether `time` can be kept: within the range, and not the offset that stands for "no time". */
  #fits(time: number): boolean {
    const offset = time - this.#timeBase;
    return Number.isSafeInteger(offset) && offset > NO_TIME && offset < TIME_RANGE;
  }

  #setTime(slot: number, field: number, time: number): void {
    const offset = time - this.#timeBase;
    const high = Math.floor(offset / TWO_32);
    this.#timesHigh[slot * TIMES + field] = high;
    this.#timesLow[slot * TIMES + field] = offset - high * TWO_32;
  }

  #allocate(): number {
    if (this.#freeHead !== NONE) {
      const slot = this.#freeHead;
      this.#freeHead = this.#next[slot] ?? NONE;
      return slot;
    }
    if (this.#neverUsed < this.#capacity) {
      this.#neverUsed += 1;
      return this.#neverUsed - 1;
    }
    // The least recently active of the heads.
    let victim = NONE;
    for (const lifetimeClass of CLASSES) {
      const head = this.#heads[lifetimeClass] ?? NONE;
      if (head === NONE) continue;
      if (victim === NONE || this.#timeAt(head, UPDATED_AT) < this.#timeAt(victim, UPDATED_AT)) victim = head;
    }
    this.#remove(victim);
    return this.#allocate();
  }

  #remove(slot: number): void {
    this.#unlink(slot);
    this.#unindex(slot);
    this.#releaseUser(slot);
    this.#descriptors.release(this.#descriptorIds[slot] ?? 0);
    this.#forgetView(slot);
    this.#next[slot] = this.#freeHead;
    this.#freeHead = slot;
    this.#size -= 1;
  }

  #releaseUser(slot: number): void {
    const userId = this.#userIds[slot] ?? NO_USER;
    if (userId !== NO_USER) this.#users.release(userId);
  }

  #forgetView(slot: number): void {
    const memo = slot & (this.#viewSlots.length - 1);
    if (this.#viewSlots[memo] !== slot) return;
    this.#viewSlots[memo] = NONE;
    this.#views[memo] = undefined;
  }

  #append(slot: number, lifetimeClass: number): void {
    const tail = this.#tails[lifetimeClass] ?? NONE;
    this.#previous[slot] = tail;
    this.#next[slot] = NONE;
    if (tail === NONE) this.#heads[lifetimeClass] = slot;
    else this.#next[tail] = slot;
    this.#tails[lifetimeClass] = slot;
  }

  #classOf(slot: number): number {
    if (this.#userIds[slot] === NO_USER) return ANONYMOUS;
    return this.#descriptors.valueOf(this.#descriptorIds[slot] ?? 0).remember ? LONG : SHORT;
  }

  #unlink(slot: number): void {
    const lifetimeClass = this.#classOf(slot);
    const previous = this.#previous[slot] ?? NONE;
    const next = this.#next[slot] ?? NONE;
    if (previous === NONE) this.#heads[lifetimeClass] = next;
    else this.#next[previous] = next;
    if (next === NONE) this.#tails[lifetimeClass] = previous;
    else this.#previous[next] = previous;
  }

  #homeBucket(word0: number, word1: number, word2: number, word3: number): number {
    let hash = Math.imul(word0 ^ this.#seed, 0x9e3779b1) ^ Math.imul(word1, 0x85ebca6b);
    hash ^= Math.imul(word2, 0xc2b2ae35) ^ Math.imul(word3, 0x27d4eb2f);
    hash ^= hash >>> 15;
    hash = Math.imul(hash, 0x2c1b3c6d);
    hash ^= hash >>> 12;
    return (hash & 0x7fffffff) % this.#buckets.length;
  }

  #homeOfSlot(slot: number): number {
    const offset = slot * UUID_WORDS;
    const words = this.#uuids;
    return this.#homeBucket(
      words[offset] ?? 0,
      words[offset + 1] ?? 0,
      words[offset + 2] ?? 0,
      words[offset + 3] ?? 0,
    );
  }

  /** The bucket whose slot holds the UUID in `KEY`, or `NONE`. */
  #bucketHoldingKey(): number {
    const word0 = KEY[0] ?? 0;
    const word1 = KEY[1] ?? 0;
    const word2 = KEY[2] ?? 0;
    const word3 = KEY[3] ?? 0;
    const buckets = this.#buckets;
    const words = this.#uuids;
    for (let bucket = this.#homeBucket(word0, word1, word2, word3); ;) {
      const slot = buckets[bucket] ?? NONE;
      if (slot === NONE) return NONE;
      const offset = slot * UUID_WORDS;
      if (
        words[offset] === word0 &&
        words[offset + 1] === word1 &&
        words[offset + 2] === word2 &&
        words[offset + 3] === word3
      ) {
        return bucket;
      }
      bucket += 1;
      if (bucket === buckets.length) bucket = 0;
    }
  }

  #index(slot: number): void {
    const buckets = this.#buckets;
    let bucket = this.#homeOfSlot(slot);
    while (buckets[bucket] !== NONE) {
      bucket += 1;
      if (bucket === buckets.length) bucket = 0;
    }
    buckets[bucket] = slot;
  }

  /** Removes `slot` from the index, shifting back the entries after it so no probe sequence is broken. */
  #unindex(slot: number): void {
    const buckets = this.#buckets;
    const count = buckets.length;
    let hole = this.#homeOfSlot(slot);
    while (buckets[hole] !== slot) hole = hole + 1 === count ? 0 : hole + 1;
    for (let bucket = hole + 1 === count ? 0 : hole + 1; ; bucket = bucket + 1 === count ? 0 : bucket + 1) {
      const moving = buckets[bucket] ?? NONE;
      if (moving === NONE) break;
      const home = this.#homeOfSlot(moving);
      const reachable = hole <= bucket ? home > hole && home <= bucket : home > hole || home <= bucket;
      if (reachable) continue; // its probe from home reaches `bucket` without passing the hole
      buckets[hole] = moving;
      hole = bucket;
    }
    buckets[hole] = NONE;
  }
}
