import { describe, expect, it } from 'vitest';
import { defaultHashConcurrency } from '../../src/accounts/argon2-password-hasher.js';
import { createConcurrencyLimit } from '../../src/core/concurrency-limit.js';

/** A task that starts, records how many run at the same moment, and settles only when released. */
function gatedTasks() {
  let running = 0;
  let mostAtOnce = 0;
  const started: number[] = [];
  const release: (() => void)[] = [];
  const task =
    (id: number, fails = false) =>
    async () => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      started.push(id);
      await new Promise<void>((resolve) => release.push(resolve));
      running -= 1;
      if (fails) throw new Error(`task ${id} failed`);
      return id;
    };
  return { task, started, release, mostAtOnce: () => mostAtOnce };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('concurrency limit', () => {
  it('runs at most `max` tasks at once and starts the waiting ones in the order they came', async () => {
    const limit = createConcurrencyLimit(2);
    const { task, started, release, mostAtOnce } = gatedTasks();
    const results = [1, 2, 3, 4, 5].map((id) => limit(task(id)));
    await settle();
    expect(started).toEqual([1, 2]);
    release.shift()?.();
    await settle();
    expect(started).toEqual([1, 2, 3]);
    while (started.length < 5 || release.length > 0) {
      release.shift()?.();
      await settle();
    }
    expect(await Promise.all(results)).toEqual([1, 2, 3, 4, 5]);
    expect(started).toEqual([1, 2, 3, 4, 5]);
    expect(mostAtOnce()).toBe(2);
  });

  it('frees the place of a task that fails, and passes its error on', async () => {
    const limit = createConcurrencyLimit(1);
    const { task, started, release } = gatedTasks();
    const failing = limit(task(1, true));
    const next = limit(task(2));
    await settle();
    expect(started).toEqual([1]);
    release.shift()?.();
    await expect(failing).rejects.toThrow('task 1 failed');
    await settle();
    expect(started).toEqual([1, 2]);
    release.shift()?.();
    expect(await next).toBe(2);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s as a limit', (max) => {
    expect(() => createConcurrencyLimit(max)).toThrow(TypeError);
  });
});

describe('default number of argon2id hashes at once', () => {
  it.each([
    // [cores, libuv thread pool, hashes at once]
    [1, 4, 2], // one core: still two, so the core stays busy between hashes
    [2, 4, 2],
    [3, 4, 3],
    [8, 4, 3], // one thread of the default pool stays free for files and DNS
    [8, 9, 8],
    [16, 9, 8],
    [8, 1, 2],
  ])('with %i cores and a thread pool of %i, runs %i', (cores, pool, expected) => {
    expect(defaultHashConcurrency(cores, pool)).toBe(expected);
  });
});
