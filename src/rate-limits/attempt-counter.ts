/** A counter's value and how long until its window ends (ms; 0 when it holds nothing). */
export interface AttemptCount {
  readonly count: number;
  readonly remainingMs: number;
}

/**
 * Where rate-limit counters live: in process memory for one node, in Redis to share them between nodes. Counters
 * are opaque keys with an expiry; what they mean (and every decision) belongs to the `RateLimiter`.
 */
export interface AttemptCounter {
  /**
   * Adds one to `key` and returns its new count. A key's window starts at its first increment and lasts
   * `windowMs`; with `restartWindow`, every increment starts it again. Atomic: of concurrent increments each
   * sees a different count.
   */
  increment(
    key: string,
    windowMs: number,
    options?: { readonly restartWindow?: boolean },
  ): Promise<AttemptCount>;
  /** The count of `key` without adding to it. */
  read(key: string): Promise<AttemptCount>;
  /** Forgets `keys`. */
  reset(keys: readonly string[]): Promise<void>;
  /** Releases connections; the counter is not used after. */
  close(): Promise<void>;
}

export const NO_ATTEMPTS: AttemptCount = { count: 0, remainingMs: 0 };
