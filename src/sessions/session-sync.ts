import type { ClaimsStamp } from '../claims/claims-stamp.js';
import type { RevocationReason } from '../core/errors.js';
import type { CachedSession } from './session-cache.js';

/** What happened to a session, as other nodes need to hear it. */
export type SessionChangeKind = 'ended' | 'rotated';

export interface SessionChange {
  readonly kind: SessionChangeKind;
  readonly sessionUuids: readonly string[];
  /**
   * Why they ended (`ended` announced by the node that ended them): other services listening to the feed end
   * what hangs from the session (mutual expiry); the message then reads as a `session.ended` event.
   */
  readonly reason?: RevocationReason;
}

/**
 * The shared side of the session cache, for several Keycard nodes (Redis in production): a cache of session
 * state any node can read, and a feed that tells every node when sessions change so they drop what they hold.
 *
 * Implementations never throw: when the shared service is unreachable, reads miss and writes are dropped (and
 * said so through `healthy`), and Keycard falls back to the store of record.
 */
export interface SessionSync {
  /** Shared state of a session; `'ended'` when it is known to have ended; undefined when unknown. */
  get(sessionUuid: string): Promise<CachedSession | 'ended' | undefined>;
  /** Shares state read from the store, unless another node has written something newer meanwhile. */
  offer(sessionUuid: string, entry: CachedSession): Promise<void>;
  /** Records a change in the shared cache and announces it to every node, in one step. */
  announce(change: SessionChange, rotated?: CachedSession): Promise<void>;
  /** Announces a bumped claims stamp to every node (stored first by the caller). */
  announceStamp(stamp: ClaimsStamp): Promise<void>;
  /** Marks sessions as ended in the shared cache without announcing (for changes learnt elsewhere). */
  forget(change: SessionChange): Promise<void>;
  /** Starts listening; the callbacks get every change and every stamp announced by another node. */
  start(
    onRemoteChange: (change: SessionChange) => void,
    onRemoteStamp: (stamp: ClaimsStamp) => void,
  ): Promise<void>;
  /**
   * Since when the feed has been listening without a break, or undefined while it is down. Entries cached
   * before this moment may have missed a message and must not be trusted.
   */
  listeningSince(): number | undefined;
  stop(): Promise<void>;
}
