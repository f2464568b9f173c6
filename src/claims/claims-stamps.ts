import type { ClaimsStamp } from './claims-stamp.js';

/**
 * Every stamp that can still matter, in process memory, so checking a token costs no SQL and allocates nothing
 * (two `Map.get`s and a few comparisons).
 *
 * A stamp older than the longest token lifetime (`horizonMs`) cannot refuse anything an expiry would not, so
 * only newer stamps are loaded and kept: memory follows the number of recent bumps, not of users.
 */
export class ClaimsStamps {
  readonly #users = new Map<string, number>();
  readonly #groups = new Map<string, number>();
  /** Sessions whose elevation was dropped, and when: their tokens claiming elevation before then are stale. */
  readonly #elevations = new Map<string, number>();
  #global = 0;
  #loaded = false;
  #loading: Promise<void> | undefined;
  readonly #onChange: (stamp: ClaimsStamp) => void;

  /** `onChange` hears every stamp that moved (and every local bump): what caches keyed by stamps drop. */
  constructor(options: { onChange?: (stamp: ClaimsStamp) => void } = {}) {
    this.#onChange = options.onChange ?? (() => undefined);
  }

  /** Whether the stamps have been loaded from the store (until then no token can be accepted from memory). */
  get loaded(): boolean {
    return this.#loaded;
  }

  /** Runs `load` unless the stamps are loaded or loading (then waits for that load); marks them loaded after. */
  loadOnce(load: () => Promise<void>): Promise<void> {
    if (this.#loaded) return Promise.resolve();
    this.#loading ??= load().then(
      () => {
        this.#loaded = true;
        this.#loading = undefined;
      },
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading;
  }

  /**
   * Applies a stamp (loaded, polled, heard on the feed or bumped here); returns whether it moved anything.
   * `bumpedHere`: a bump of this node's, told to `onChange` even when it lands in the millisecond of the last
   * one (the stamp cannot move, but what it stands for changed).
   */
  apply(stamp: ClaimsStamp, bumpedHere = false): boolean {
    let moved = false;
    if (stamp.scope === 'global') {
      moved = stamp.validAfter > this.#global;
      if (moved) this.#global = stamp.validAfter;
    } else {
      const map =
        stamp.scope === 'user' ? this.#users : stamp.scope === 'group' ? this.#groups : this.#elevations;
      moved = stamp.validAfter > (map.get(stamp.subject) ?? 0);
      if (moved) map.set(stamp.subject, stamp.validAfter);
    }
    if (moved || bumpedHere) this.#onChange(stamp);
    return moved;
  }

  /** Every stamp held: what the revocation stream's snapshot hands a verifier that (re)connects. */
  all(): ClaimsStamp[] {
    const stamps: ClaimsStamp[] = [];
    if (this.#global > 0) stamps.push({ scope: 'global', subject: '', validAfter: this.#global });
    for (const [subject, validAfter] of this.#users) stamps.push({ scope: 'user', subject, validAfter });
    for (const [subject, validAfter] of this.#groups) stamps.push({ scope: 'group', subject, validAfter });
    for (const [subject, validAfter] of this.#elevations) {
      stamps.push({ scope: 'elevation', subject, validAfter });
    }
    return stamps;
  }

  /** The moment before which tokens of this user (in this group, if any) are stale (ms; 0: none). */
  validAfter(userUuid: string, groupId: string | null): number {
    const user = this.#users.get(userUuid) ?? 0;
    const group = groupId === null ? 0 : (this.#groups.get(groupId) ?? 0);
    return Math.max(this.#global, user, group);
  }

  /**
   * Whether a token issued at `issuedAtMs` is older than the stamps that apply to it. `precisionMs` is how
   * precise the issue time is: 1 for opaque tokens (the store's ms) and Keycard's JWTs (whose `iat` carries
   * milliseconds), 1000 for a JWT `iat` in whole seconds. The stamp is then compared at that precision, so a token
   * issued in the second of a bump but after it is not refused over and over until the next second; one issued in
   * that second before the bump passes too (a window of under a second, as with any `iat`-based revocation).
   * `elevatedSession`: the session of a token that claims an elevation (a JWT's `elv`), which the session's
   * elevation stamp (its last "depermify") refuses too.
   */
  isStale(
    userUuid: string,
    groupId: string | null,
    issuedAtMs: number,
    precisionMs = 1,
    elevatedSession: string | null = null,
  ): boolean {
    let validAfter = this.validAfter(userUuid, groupId);
    if (elevatedSession !== null) {
      validAfter = Math.max(validAfter, this.#elevations.get(elevatedSession) ?? 0);
    }
    if (validAfter === 0) return false;
    return issuedAtMs < validAfter - (validAfter % precisionMs);
  }

  /** The user stamp alone (ms; 0: none): what a per-user cache compares its entries with. */
  userValidAfter(userUuid: string): number {
    return Math.max(this.#global, this.#users.get(userUuid) ?? 0);
  }

  /** Forgets stamps older than `before` (they can no longer refuse an unexpired token). */
  prune(before: number): void {
    for (const map of [this.#users, this.#groups, this.#elevations]) {
      for (const [subject, validAfter] of map) if (validAfter < before) map.delete(subject);
    }
  }
}
