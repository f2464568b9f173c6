/**
 * A "claims valid after" stamp (seed 000's offset list "that maps offset to time of cache expiry"): every token
 * issued before `validAfter` that the stamp applies to is refused with `claims_stale`, so its holder refreshes and
 * gets fresh claims. `user` stamps apply to one user's tokens, `group` stamps to the tokens of every session in
 * the group, the `global` stamp (subject `''`) to every token. An `elevation` stamp (subject: a session uuid) is
 * bumped when that session's elevation is dropped ("depermify"): it applies only to the session's tokens that
 * claim an elevation (a JWT's `elv`), which no longer holds; the session's other tokens are untouched.
 */
export type StampScope = 'user' | 'group' | 'global' | 'elevation';

export interface ClaimsStamp {
  readonly scope: StampScope;
  /** The user uuid, the group id, the session uuid (elevation), or `''` for the global stamp. */
  readonly subject: string;
  /** Epoch ms; a stamp only ever moves forward. */
  readonly validAfter: number;
}

/** What stamps need from storage. */
export interface ClaimsStampStore {
  /** Moves a stamp forward to `stamp.validAfter` (never back); creates it if there is none. */
  bumpStamp(stamp: ClaimsStamp): Promise<void>;
  /** Stamps bumped at or after `since` (ms), at most `limit`. */
  listStampsSince(since: number, limit: number): Promise<ClaimsStamp[]>;
  /** Deletes stamps older than `before`: no token issued before them can still be unexpired. Returns how many. */
  pruneStamps(before: number): Promise<number>;
}

export function isStampScope(value: unknown): value is StampScope {
  return value === 'user' || value === 'group' || value === 'global' || value === 'elevation';
}
