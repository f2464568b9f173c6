import type { RevocationFeed } from './revocation-feed.js';
import { parseRevocationMessage, type RevocationMessage } from './revocation-message.js';

export interface RedisRevocationFeedOptions {
  /** The Redis Keycard uses (`KEYCARD_REDIS_URL`). */
  readonly url: string;
  /** Keycard's `KEYCARD_REDIS_PREFIX`; default `keycard:`. */
  readonly keyPrefix?: string;
  readonly now?: () => number;
  readonly onError?: (error: unknown) => void;
}

/**
 * Keycard's change channel on Redis, for a service that shares Keycard's Redis: the `ended` messages Keycard
 * nodes publish to each other (`{node, kind, sessions, at}`), and their stamps
 * (`{node, stamp: {scope, subject, valid_after}, at}`). Redis keeps nothing for a
 * subscriber that was away, so every (re)subscription counts as an incomplete snapshot: tokens issued before it
 * are refused as `claims_stale` (clients refresh once). The SSE stream has no such cost: its snapshot lists
 * what was missed.
 */
export function createRedisRevocationFeed(options: RedisRevocationFeedOptions): RevocationFeed {
  const now = options.now ?? Date.now;
  const channel = `${options.keyPrefix ?? 'keycard:'}changes`;
  let since: number | undefined;
  let subscriber: import('ioredis').Redis | undefined;
  let stopped = false;

  return {
    start(onMessage) {
      void (async () => {
        const { Redis } = await import('ioredis');
        if (stopped) return;
        const connection = new Redis(options.url, {
          lazyConnect: true,
          enableOfflineQueue: false,
          autoResubscribe: false,
          maxRetriesPerRequest: 1,
          retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
        });
        subscriber = connection;
        connection.on('error', (error: unknown) => options.onError?.(error));
        connection.on('close', () => {
          since = undefined;
        });
        connection.on('message', (_channel: string, text: string) => {
          // Keycard's `rotated` messages parse to nothing and are ignored: a rotation revokes no token.
          const message = parseRevocationMessage(text) ?? parseNodeStampMessage(text);
          if (message !== undefined) onMessage(message);
        });
        const subscribe = () => {
          connection.subscribe(channel).then(
            () => {
              const at = now();
              // Whatever was published while this subscriber was away is lost: a snapshot that says so.
              onMessage({ kind: 'snapshot', sessions: [], stamps: [], complete: false, at });
              since = at;
            },
            (error: unknown) => options.onError?.(error),
          );
        };
        connection.on('ready', subscribe);
        await connection.connect().catch((error: unknown) => options.onError?.(error));
      })();
    },
    listeningSince: () => since,
    async stop() {
      stopped = true;
      subscriber?.disconnect();
      await Promise.resolve();
    },
  };
}

/** A stamp as Keycard nodes tell each other on Redis, as the revocation stream would carry it; else undefined. */
function parseNodeStampMessage(text: string): RevocationMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || !('stamp' in value)) return undefined;
  const { stamp, at } = value as { stamp: unknown; at?: unknown };
  if (typeof stamp !== 'object' || stamp === null || typeof at !== 'number') return undefined;
  const { scope, subject, valid_after: validAfter } = stamp as Record<string, unknown>;
  if (typeof subject !== 'string' || typeof validAfter !== 'number') return undefined;
  return parseRevocationMessage(
    JSON.stringify({ kind: 'stamp', scope, id: scope === 'global' ? '*' : subject, validAfter, at }),
  );
}
