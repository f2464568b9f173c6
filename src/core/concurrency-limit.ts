/** Runs tasks with at most `max` of them started and not yet settled at once; the rest wait in line, first come first served. */
export type ConcurrencyLimit = <T>(task: () => Promise<T>) => Promise<T>;

export function createConcurrencyLimit(max: number): ConcurrencyLimit {
  if (!Number.isSafeInteger(max) || max < 1)
    throw new TypeError('a concurrency limit must be a positive integer');
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}
