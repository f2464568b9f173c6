import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createMemoryAttemptCounter } from '../../src/rate-limits/create-memory-attempt-counter.js';
import { clientAddressKey } from '../../src/rate-limits/client-address-key.js';

describe('the in-memory attempt counter (rate limits)', () => {
  it('counts in a fixed window from the first increment, or restarts it on every one', async () => {
    const clock = new ManualClock();
    const counter = createMemoryAttemptCounter({ clock });
    expect(await counter.increment('a', 10_000)).toEqual({ count: 1, remainingMs: 10_000 });
    clock.advance(4000);
    expect(await counter.increment('a', 10_000)).toEqual({ count: 2, remainingMs: 6000 });
    expect(await counter.read('a')).toEqual({ count: 2, remainingMs: 6000 });
    clock.advance(6000);
    expect(await counter.read('a')).toEqual({ count: 0, remainingMs: 0 });
    expect(await counter.increment('a', 10_000)).toEqual({ count: 1, remainingMs: 10_000 });

    clock.advance(9000);
    expect(await counter.increment('a', 10_000, { restartWindow: true })).toEqual({
      count: 2,
      remainingMs: 10_000,
    });
    await counter.reset(['a']);
    expect(await counter.read('a')).toEqual({ count: 0, remainingMs: 0 });
  });

  it('keeps at most maxKeys counters: expired ones go first, then the oldest', async () => {
    const clock = new ManualClock();
    const counter = createMemoryAttemptCounter({ clock, maxKeys: 3 });
    await counter.increment('short', 1000);
    await counter.increment('old', 60_000);
    await counter.increment('newer', 60_000);
    clock.advance(2000);
    await counter.increment('fourth', 60_000); // 'short' has expired: swept, nothing live is dropped
    expect((await counter.read('old')).count).toBe(1);
    expect((await counter.read('newer')).count).toBe(1);
    await counter.increment('fifth', 60_000); // full of live counters: the oldest goes
    expect((await counter.read('old')).count).toBe(0);
    expect((await counter.read('fifth')).count).toBe(1);
  });

  it('holds a bounded number of counters under a flood of distinct keys', async () => {
    const clock = new ManualClock();
    const counter = createMemoryAttemptCounter({ clock, maxKeys: 1000 });
    for (let key = 0; key < 20_000; key += 1) await counter.increment(`flood${key}`, 60_000);
    let live = 0;
    for (let key = 0; key < 20_000; key += 1) live += (await counter.read(`flood${key}`)).count;
    expect(live).toBe(1000);
  });
});

describe('clientAddressKey (what per-address rate limits count by)', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:0db8:0000:0000:ffff:0000:0000:0001', '2001:db8:0:0::/64'],
    ['2001:DB8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['not an address', 'not an address'],
    ['1:2:3', '1:2:3'],
  ])('counts %s as %s', (address, key) => {
    expect(clientAddressKey(address)).toBe(key);
  });
});
