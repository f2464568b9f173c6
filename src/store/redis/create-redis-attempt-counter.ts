import { Redis } from 'ioredis';
import { type AttemptCount, type AttemptCounter, NO_ATTEMPTS } from '../../rate-limits/attempt-counter.js';

export interface RedisAttemptCounterOptions {
  /** `redis://host:port/db` */
  readonly url: string;
  /** Prefix of every key, so several deployments (or test runs) can share a server. */
  readonly keyPrefix?: string;
  /** Counts while Redis is unreachable: this node's own (in memory), so limits hold per node meanwhile. */
  readonly fallback: AttemptCounter;
  /** Told once per outage, when Redis stops answering and counting falls back to `fallback`. */
  readonly onUnavailable?: (error: unknown) => void;
}

/**
 * INCR and its expiry in one step, so a crash can never leave a counter without one (which would limit its key
 * forever). The window starts at the first increment, or at every one with ARGV[2] = 1. Returns {count, ms left}.
 */
const INCREMENT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 or ARGV[2] == '1' then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/**
 * Rate-limit counters shared by every node through Redis, under `<prefix>rl:`. Fails soft: when Redis does not
 * answer (down, unreachable, or slower than a second), counting falls back to this node's memory and says so
 * once; the limits then hold per node until Redis is back.
 */
export function createRedisAttemptCounter(options: RedisAttemptCounterOptions): AttemptCounter {
  const { fallback, keyPrefix = 'keycard:', onUnavailable = () => undefined } = options;
  const redis = new Redis(options.url, {
    // Fail fast instead of queueing while disconnected: the fallback is the answer, not a wait.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 1000,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
  });
  // Connection errors are reported through the fallback below; an unheard 'error' event would crash the process.
  redis.on('error', () => undefined);
  const keyOf = (key: string) => `${keyPrefix}rl:${key}`;
  let unavailable = false;

  async function withFallback<T>(
    operation: () => Promise<T>,
    fallbackOperation: () => Promise<T>,
  ): Promise<T> {
    if (redis.status === 'ready') {
      try {
        const result = await operation();
        unavailable = false;
        return result;
      } catch (error) {
        noteUnavailable(error);
      }
    } else {
      noteUnavailable(new Error(`Redis connection is ${redis.status}`));
    }
    return fallbackOperation();
  }

  function noteUnavailable(error: unknown): void {
    if (unavailable) return;
    unavailable = true;
    onUnavailable(error);
  }

  return {
    increment: (key, windowMs, { restartWindow = false } = {}) =>
      withFallback(
        async () => {
          const reply = await redis.eval(INCREMENT_SCRIPT, 1, keyOf(key), windowMs, restartWindow ? 1 : 0);
          return countFromReply(reply);
        },
        () => fallback.increment(key, windowMs, { restartWindow }),
      ),

    read: (key) =>
      withFallback(
        async () => {
          const replies = await redis.multi().get(keyOf(key)).pttl(keyOf(key)).exec();
          const [[, count] = [], [, ttl] = []] = replies ?? [];
          if (typeof count !== 'string' || typeof ttl !== 'number' || ttl <= 0) return NO_ATTEMPTS;
          return { count: Number(count), remainingMs: ttl };
        },
        () => fallback.read(key),
      ),

    async reset(keys) {
      // Both: a key counted in memory during an outage must not outlive the reset either.
      await fallback.reset(keys);
      if (keys.length === 0) return;
      await withFallback(
        async () => {
          await redis.del(...keys.map(keyOf));
        },
        () => Promise.resolve(),
      );
    },

    async close() {
      redis.disconnect();
      await fallback.close();
    },
  };
}

function countFromReply(reply: unknown): AttemptCount {
  if (!Array.isArray(reply) || typeof reply[0] !== 'number' || typeof reply[1] !== 'number') {
    throw new Error('unexpected reply to the increment script');
  }
  return { count: reply[0], remainingMs: reply[1] };
}
