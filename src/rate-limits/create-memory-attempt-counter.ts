import type { Clock } from '../core/clock.js';
import { type AttemptCount, type AttemptCounter, NO_ATTEMPTS } from './attempt-counter.js';

export interface MemoryAttemptCounterOptions {
  readonly clock: Clock;
  /** At most this many counters are kept; default 100 000 (about 15 MB). */
  readonly maxKeys?: number;
}

interface Bucket {
  count: number;
  resetAt: number;
}

/** Expired counters are swept out at most this often, and whenever the map is full (at most once a second). */
const SWEEP_INTERVAL_MS = 60_000;
const FULL_SWEEP_INTERVAL_MS = 1000;

/**
 * Counters in process memory: one node's view, used without Redis and while Redis is unreachable. Memory is
 * bounded: expired counters are swept out, and when the map is still full the counter created longest ago is
 * dropped (one limit forgets one client early, rather than the process growing without bound).
 */
export function createMemoryAttemptCounter({
  clock,
  maxKeys = 100_000,
}: MemoryAttemptCounterOptions): AttemptCounter {
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1)
    throw new TypeError('maxKeys must be a positive integer');
  const buckets = new Map<string, Bucket>();
  let nextSweepAt = 0;
  let nextFullSweepAt = 0;

  const sweep = (now: number) => {
    for (const [key, bucket] of buckets) {
      if (bucket.resetAt <= now) buckets.delete(key);
    }
    nextSweepAt = now + SWEEP_INTERVAL_MS;
  };
  const live = (key: string, now: number): Bucket | undefined => {
    const bucket = buckets.get(key);
    if (bucket !== undefined && bucket.resetAt <= now) {
      buckets.delete(key);
      return undefined;
    }
    return bucket;
  };
  const countOf = (bucket: Bucket | undefined, now: number): AttemptCount =>
    bucket === undefined ? NO_ATTEMPTS : { count: bucket.count, remainingMs: bucket.resetAt - now };

  return {
    increment(key, windowMs, { restartWindow = false } = {}) {
      const now = clock.now();
      if (now >= nextSweepAt) sweep(now);
      let bucket = live(key, now);
      if (bucket === undefined) {
        if (buckets.size >= maxKeys && now >= nextFullSweepAt) {
          sweep(now);
          nextFullSweepAt = now + FULL_SWEEP_INTERVAL_MS;
        }
        if (buckets.size >= maxKeys) {
          const oldest = buckets.keys().next();
          if (oldest.done !== true) buckets.delete(oldest.value);
        }
        bucket = { count: 0, resetAt: now + windowMs };
        buckets.set(key, bucket);
      }
      bucket.count += 1;
      if (restartWindow) bucket.resetAt = now + windowMs;
      return Promise.resolve(countOf(bucket, now));
    },

    read(key) {
      const now = clock.now();
      return Promise.resolve(countOf(live(key, now), now));
    },

    reset(keys) {
      for (const key of keys) buckets.delete(key);
      return Promise.resolve();
    },

    close() {
      buckets.clear();
      return Promise.resolve();
    },
  };
}
