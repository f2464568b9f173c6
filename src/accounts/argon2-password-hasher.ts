import { availableParallelism } from 'node:os';
import { type Algorithm, hash, verify } from '@node-rs/argon2';
import { createConcurrencyLimit } from '../core/concurrency-limit.js';
import type { PasswordHasher } from './password-hasher.js';

/** OWASP's first argon2id choice: 19 MiB, 2 passes, 1 lane (~16 ms on this hardware). */
export const ARGON2_OPTIONS = {
  // Algorithm.Argon2id: a const enum, which verbatimModuleSyntax cannot read from the declaration file.
  algorithm: 2 satisfies Algorithm,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * argon2id via @node-rs/argon2, which runs on libuv's thread pool and keeps the event loop free.
 *
 * At most `maxConcurrent` hashes run at once (default: `defaultHashConcurrency()`); the rest wait in line. Each takes
 * 19 MiB, and more at once than there are cores only adds memory and makes every sign-in slower, while other
 * requests wait for a core.
 */
export function createArgon2PasswordHasher({
  maxConcurrent = defaultHashConcurrency(),
}: { maxConcurrent?: number } = {}): PasswordHasher {
  const limit = createConcurrencyLimit(maxConcurrent);
  return {
    hash: (password) => limit(() => hash(password, ARGON2_OPTIONS)),
    verify: (passwordHash, password) =>
      limit(async () => {
        try {
          return await verify(passwordHash, password);
        } catch {
          return false;
        }
      }),
  };
}

/**
 * How many hashes run at once by default: one per core this process may run on, but at least 2 and at most one
 * less than libuv's thread pool.
 * - At least 2: on one core (`taskset -c 0`), a second hash keeps the core busy while the event loop hands a
 *   finished one over and starts the next. With 1, sign-ins ran at 0.78 and 0.83 of the raw rate, against 0.88 and
 *   0.88 with 2 (`npm run bench -- sign-in`, alternating, 2026-12-04).
 * - At most the thread pool less one: the hashes run on libuv's pool (`UV_THREADPOOL_SIZE`, 4 unless set), which
 *   file reads and DNS lookups share; a 20 ms hash must not hold every thread. Raise `UV_THREADPOOL_SIZE` to let
 *   a machine with more cores hash more at once.
 */
export function defaultHashConcurrency(
  cores = availableParallelism(),
  threadPoolSize = Number(process.env['UV_THREADPOOL_SIZE']) || 4,
): number {
  return Math.max(2, Math.min(cores, threadPoolSize - 1));
}
