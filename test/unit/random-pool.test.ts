import { describe, expect, it } from 'vitest';
import { randomBase64url, randomBytesFromPool } from '../../src/tokens/random-pool.js';

describe('random pool', () => {
  it('hands out base64url of the size asked, never the same twice across many pool refills', () => {
    const seen = new Set<string>();
    // 1,000 × 32 bytes: the 4 KiB pool is refilled several times on the way.
    for (let index = 0; index < 1000; index += 1) {
      const text = randomBase64url(32);
      expect(text).toMatch(/^[A-Za-z0-9_-]{43}$/);
      seen.add(text);
    }
    expect(seen.size).toBe(1000);
  });

  it('gives buffers of their own, not views of the pool (which is zeroed as it is handed out)', () => {
    const first = randomBytesFromPool(16);
    const copy = Buffer.from(first);
    randomBytesFromPool(16);
    expect(first.equals(copy)).toBe(true);
    expect(first.equals(Buffer.alloc(16))).toBe(false);
  });

  it('looks random: each bit set about half the time over many draws', () => {
    const draws = 4000;
    const ones = new Array<number>(64).fill(0);
    for (let index = 0; index < draws; index += 1) {
      const bytes = randomBytesFromPool(8);
      for (let bit = 0; bit < 64; bit += 1) {
        if (((bytes[bit >> 3] ?? 0) >> (bit & 7)) & 1) ones[bit] = (ones[bit] ?? 0) + 1;
      }
    }
    // Binomial(4000, 0.5): standard deviation ~32; 6 of them either side is never hit by chance.
    for (const count of ones) expect(Math.abs(count - draws / 2)).toBeLessThan(190);
  });

  it('refuses more than a pool at once', () => {
    expect(() => randomBytesFromPool(4097)).toThrow(RangeError);
  });
});
