import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Clock } from '../../core/clock.js';
import type { CachedSession } from '../../sessions/session-cache.js';
import type { SessionChange, SessionSync } from '../../sessions/session-sync.js';
import { decodeCachedSession, encodeCachedSession } from './cached-session-json.js';
import {
  decodeChangeMessage,
  decodeStampMessage,
  encodeChangeMessage,
  encodeStampMessage,
} from './change-message.js';

export interface RedisSessionSyncOptions {
  /** `redis://host:port/db` */
  readonly url: string;
  readonly clock: Clock;
  /** Prefix of every key and of the channel, so several deployments (or test runs) can share a server. */
  readonly keyPrefix?: string;
  /** How long shared entries live (s); they are re-read from the store after. */
  readonly entryTtlSeconds?: number;
  /** Told when Redis misbehaves; Keycard keeps working from the store meanwhile. */
  readonly onError?: (error: unknown) => void;
  /** Told how long each change from another node took to arrive (ms, by the two nodes' clocks): metrics. */
  readonly onFeedLag?: (lagMs: number) => void;
}

const ENDED = 'ended';
/** Long enough to outlive any read that raced the change; short enough not to matter in memory. */
const TOMBSTONE_TTL_SECONDS = 300;

/**
 * The shared session cache and change feed on Redis: session state under `<prefix>s:<uuid>`, changes published
 * on `<prefix>changes`. Fails soft: while Redis is unreachable, reads miss, writes are dropped, and
 * `listeningSince()` is undefined so nodes stop trusting their own caches beyond a short bound.
 */
export function createRedisSessionSync(options: RedisSessionSyncOptions): SessionSync {
  const { clock, keyPrefix = 'keycard:', entryTtlSeconds = 600, onError = () => undefined } = options;
  const nodeId = randomUUID();
  const channel = `${keyPrefix}changes`;
  const keyOf = (sessionUuid: string) => `${keyPrefix}s:${sessionUuid}`;
  const connectionOptions = {
    lazyConnect: true,
    // Fail fast instead of queueing while disconnected: the store is the fallback, not a wait.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    autoResubscribe: false,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
  };
  const commands = new Redis(options.url, connectionOptions);
  const subscriber = new Redis(options.url, connectionOptions);
  let listeningSince: number | undefined;
  let stopped = false;
  for (const connection of [commands, subscriber]) connection.on('error', onError);

  const ttlFor = (entry: CachedSession) => {
    const secondsLeft = Math.floor((entry.session.expiresAt - clock.now()) / 1000);
    return Math.max(1, Math.min(entryTtlSeconds, secondsLeft));
  };
  const soft = async (operation: () => Promise<unknown>) => {
    if (commands.status !== 'ready') return;
    try {
      await operation();
    } catch (error) {
      onError(error);
    }
  };
  const markChanged = (
    pipeline: ReturnType<Redis['multi']>,
    change: SessionChange,
    rotated?: CachedSession,
  ) => {
    for (const uuid of change.sessionUuids) {
      if (change.kind === 'ended') pipeline.set(keyOf(uuid), ENDED, 'EX', TOMBSTONE_TTL_SECONDS);
      else if (rotated?.session.uuid === uuid)
        pipeline.set(keyOf(uuid), encodeCachedSession(rotated), 'EX', ttlFor(rotated));
      else pipeline.del(keyOf(uuid));
    }
    return pipeline;
  };

  return {
    async get(sessionUuid) {
      if (commands.status !== 'ready') return undefined;
      try {
        const value = await commands.get(keyOf(sessionUuid));
        if (value === null) return undefined;
        return value === ENDED ? 'ended' : decodeCachedSession(value);
      } catch (error) {
        onError(error);
        return undefined;
      }
    },

    offer: (sessionUuid, entry) =>
      soft(() => commands.set(keyOf(sessionUuid), encodeCachedSession(entry), 'EX', ttlFor(entry), 'NX')),

    announce: (change, rotated) =>
      soft(() =>
        markChanged(commands.multi(), change, rotated)
          .publish(channel, encodeChangeMessage(nodeId, change, clock.now()))
          .exec(),
      ),

    announceStamp: (stamp) =>
      soft(() => commands.publish(channel, encodeStampMessage(nodeId, stamp, clock.now()))),

    forget: (change) => soft(() => markChanged(commands.multi(), change).exec()),

    async start(onRemoteChange, onRemoteStamp) {
      subscriber.on('message', (_channel: string, message: string) => {
        const decoded = decodeChangeMessage(message);
        if (decoded === undefined) {
          const stamp = decodeStampMessage(message);
          if (stamp !== undefined && stamp.nodeId !== nodeId) onRemoteStamp(stamp.stamp);
          return;
        }
        if (decoded.nodeId === nodeId) return;
        onRemoteChange(decoded.change);
        if (decoded.sentAt !== undefined) options.onFeedLag?.(Math.max(0, clock.now() - decoded.sentAt));
      });
      subscriber.on('ready', () => {
        subscriber.subscribe(channel).then(
          () => {
            listeningSince = clock.now();
          },
          (error: unknown) => onError(error),
        );
      });
      // Any break in the subscription may have lost a message: distrust until subscribed again.
      subscriber.on('close', () => {
        listeningSince = undefined;
      });
      await Promise.allSettled([commands.connect(), subscriber.connect()]);
      if (!stopped && subscriber.status === 'ready' && listeningSince === undefined) {
        await subscriber.subscribe(channel).then(
          () => {
            listeningSince = clock.now();
          },
          (error: unknown) => onError(error),
        );
      }
    },

    listeningSince: () => listeningSince,

    async stop() {
      stopped = true;
      listeningSince = undefined;
      commands.disconnect();
      subscriber.disconnect();
      await Promise.resolve();
    },
  };
}
