import type { RevocationMessage } from './revocation-message.js';

/** A source of revocation messages (Keycard's SSE stream, or its Redis channel). */
export interface RevocationFeed {
  /** Starts listening; `onMessage` gets every message, the first of each connection being a snapshot if any. */
  start(onMessage: (message: RevocationMessage) => void): void;
  /** Since when the feed has been listening without a break (ms), or undefined while it is down. */
  listeningSince(): number | undefined;
  stop(): Promise<void>;
}
