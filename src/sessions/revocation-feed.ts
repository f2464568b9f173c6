import type { RevocationMessage } from '../verify/revocation-message.js';

export type RevocationListener = (message: RevocationMessage) => void;

/**
 * Fans out what other services must hear at once (sessions that ended, stamps) to the open revocation streams
 * of this node. Every ended session reaches it: those this node ended, those other nodes announced on the Redis
 * feed, and those the change poll found.
 */
export class RevocationFeed {
  readonly #listeners = new Set<RevocationListener>();

  get subscriberCount(): number {
    return this.#listeners.size;
  }

  subscribe(listener: RevocationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(message: RevocationMessage): void {
    for (const listener of this.#listeners) listener(message);
  }
}
