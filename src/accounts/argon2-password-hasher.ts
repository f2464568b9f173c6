import { type Algorithm, hash, verify } from '@node-rs/argon2';
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
 * At most `maxConcurrent` hashes run at once; the rest wait in line. Each takes 19 MiB, and more at once than there
 * are cores only adds memory and makes every sign-in slower, while other requests wait for a core.
 */
export function createArgon2PasswordHasher({
  maxConcurrent = 2,
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

function createConcurrencyLimit(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  if (!Number.isSafeInteger(max) || max < 1) throw new TypeError('maxConcurrent must be a positive integer');
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
