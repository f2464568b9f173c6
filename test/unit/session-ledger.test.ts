import { describe, expect, it } from 'vitest';
import { SessionLedger } from '../../src/sessions/session-ledger.js';
import { accessHashOf, entryOf, LIFETIMES, T0, userOf, uuidOf } from '../support/ledger-entries.js';

const MINUTE = 60_000;
const ledgerOf = (capacity = 16) => new SessionLedger({ capacity, lifetimes: LIFETIMES, epochMs: T0 });

describe('session ledger', () => {
  it('finds what was set, and hands out one object per entry from its second ask until it changes', () => {
    const ledger = ledgerOf();
    const entry = entryOf(1);
    ledger.set(uuidOf(1), entry, T0 + 5);

    const slot = ledger.find(uuidOf(1));
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(ledger.size).toBe(1);
    expect(ledger.validatedAtOf(slot)).toBe(T0 + 5);
    // The first ask builds a view and keeps none (spread-out traffic would only make survivors for the GC)...
    const first = ledger.entryAt(slot);
    expect(first).toEqual(entry);
    expect(first.user).toBe(entry.user);
    // ...the second keeps the one it builds, and later asks get that same object.
    const view = ledger.entryAt(slot);
    expect(view).toEqual(first);
    expect(ledger.entryAt(slot)).toBe(view);
    expect(ledger.entryAt(slot)).toBe(view);
    expect(ledger.find(uuidOf(2))).toBe(-1);
  });

  it('answers a miss, never an error, for anything that is not a canonical session UUID', () => {
    const ledger = ledgerOf();
    ledger.set(uuidOf(1), entryOf(1), T0);
    const bad = [
      '',
      'not-a-uuid',
      uuidOf(1).toUpperCase(),
      uuidOf(1).slice(1),
      `${uuidOf(1)}0`,
      uuidOf(1).replace(/-/g, 'x'),
      uuidOf(1).replace(/^./, 'g'),
      `{${uuidOf(1).slice(1, -1)}}`,
      '\u00e9'.repeat(36),
    ];
    for (const text of bad) {
      expect(ledger.find(text)).toBe(-1);
      expect(() => ledger.delete(text)).not.toThrow();
    }
    ledger.set('not-a-uuid', entryOf(2), T0);
    expect(ledger.size).toBe(1);
  });

  it('keeps each lifetime class in order of activity, and a touch moves a session to the back', () => {
    const ledger = ledgerOf();
    for (const n of [1, 2, 3]) ledger.set(uuidOf(n), entryOf(n, { updatedAt: T0 + n }), T0);
    ledger.set(uuidOf(4), entryOf(4, { remember: false, updatedAt: T0 + 4 }), T0);
    const slotOf = (n: number) => ledger.find(uuidOf(n));
    const order = (remember: boolean) => ledger.slotsInOrder(remember);
    expect(order(true)).toEqual([slotOf(1), slotOf(2), slotOf(3)]);

    const view = ledger.entryAt(slotOf(1));
    ledger.touch(slotOf(1), T0 + MINUTE);
    expect(order(true)).toEqual([slotOf(2), slotOf(3), slotOf(1)]);
    expect(order(false)).toEqual([slotOf(4)]);
    expect(ledger.validatedAtOf(slotOf(1))).toBe(T0);
    const touched = ledger.entryAt(slotOf(1));
    expect(touched).not.toBe(view);
    expect(touched.session.updatedAt).toBe(T0 + MINUTE);
    expect(touched).toEqual({ ...view, session: { ...view.session, updatedAt: T0 + MINUTE } });
  });

  it('expires by popping heads until one is still alive', () => {
    const ledger = ledgerOf();
    const idle = LIFETIMES.short.idleSeconds * 1000;
    for (const n of [1, 2, 3])
      ledger.set(uuidOf(n), entryOf(n, { remember: false, updatedAt: T0 + n * MINUTE }), T0);
    ledger.set(uuidOf(9), entryOf(9, { updatedAt: T0 }), T0);

    expect(ledger.expire(T0 + idle + MINUTE - 1)).toBe(0);
    expect(ledger.expire(T0 + idle + 2 * MINUTE)).toBe(2);
    expect(ledger.find(uuidOf(1))).toBe(-1);
    expect(ledger.find(uuidOf(2))).toBe(-1);
    expect(ledger.find(uuidOf(3))).toBeGreaterThanOrEqual(0);
    expect(ledger.find(uuidOf(9))).toBeGreaterThanOrEqual(0);
    expect(ledger.size).toBe(2);
  });

  it('expires a head past its absolute expiry though its idle timeout is far', () => {
    const ledger = ledgerOf();
    ledger.set(uuidOf(1), entryOf(1, { updatedAt: T0, expiresAt: T0 + 10 * MINUTE }), T0);
    expect(ledger.expire(T0 + 10 * MINUTE)).toBe(1);
    expect(ledger.size).toBe(0);
  });

  it('reuses freed slots before taking new ones', () => {
    const ledger = ledgerOf(4);
    for (const n of [1, 2, 3]) ledger.set(uuidOf(n), entryOf(n), T0);
    const freed = ledger.find(uuidOf(2));
    ledger.delete(uuidOf(2));
    expect(ledger.find(uuidOf(2))).toBe(-1);
    ledger.set(uuidOf(5), entryOf(5), T0);
    expect(ledger.find(uuidOf(5))).toBe(freed);
    expect(ledger.entryAt(freed).session.uuid).toBe(uuidOf(5));
  });

  it('makes room when full by dropping the least recently active session of either class', () => {
    const ledger = ledgerOf(3);
    ledger.set(uuidOf(1), entryOf(1, { updatedAt: T0 + 2 }), T0);
    ledger.set(uuidOf(2), entryOf(2, { remember: false, updatedAt: T0 + 1 }), T0);
    ledger.set(uuidOf(3), entryOf(3, { updatedAt: T0 + 3 }), T0);
    ledger.set(uuidOf(4), entryOf(4, { updatedAt: T0 + 4 }), T0);
    expect(ledger.size).toBe(3);
    expect(ledger.find(uuidOf(2))).toBe(-1);
    ledger.touch(ledger.find(uuidOf(1)), T0 + 5);
    ledger.set(uuidOf(5), entryOf(5, { updatedAt: T0 + 6 }), T0);
    expect([1, 3, 4, 5].map((n) => ledger.find(uuidOf(n)) >= 0)).toEqual([true, false, true, true]);
  });

  it('holds each user once, keeps the newest copy, and lets it go with the last session', () => {
    const ledger = ledgerOf();
    const older = userOf(1, T0);
    const newer = userOf(1, T0 + 1);
    ledger.set(uuidOf(1), entryOf(1, { user: newer }), T0);
    ledger.set(uuidOf(2), entryOf(2, { user: older }), T0);
    ledger.set(uuidOf(3), entryOf(3, { user: userOf(2) }), T0);
    expect(ledger.userCount).toBe(2);
    expect(ledger.entryAt(ledger.find(uuidOf(2))).user).toBe(newer);

    ledger.delete(uuidOf(1));
    expect(ledger.userCount).toBe(2);
    ledger.delete(uuidOf(2));
    expect(ledger.userCount).toBe(1);
    ledger.set(uuidOf(3), entryOf(3, { user: userOf(2) }), T0); // replacing an entry keeps one reference
    expect(ledger.userCount).toBe(1);
    ledger.clear();
    expect(ledger.userCount).toBe(0);
    expect(ledger.size).toBe(0);
    expect(ledger.find(uuidOf(3))).toBe(-1);
  });

  it('compares a presented hash with every byte, and refuses any other string', () => {
    const ledger = ledgerOf();
    ledger.set(uuidOf(1), entryOf(1), T0);
    const slot = ledger.find(uuidOf(1));
    const hash = accessHashOf(1);
    expect(ledger.accessHashMatches(slot, hash)).toBe(true);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let index = 0; index < hash.length; index += 1) {
      const other = alphabet[(alphabet.indexOf(hash.charAt(index)) + 1) % 64] ?? 'A';
      expect(ledger.accessHashMatches(slot, hash.slice(0, index) + other + hash.slice(index + 1))).toBe(
        false,
      );
    }
    expect(ledger.accessHashMatches(slot, accessHashOf(2))).toBe(false);
    expect(ledger.accessHashMatches(slot, hash.slice(1))).toBe(false);
    expect(ledger.accessHashMatches(slot, `${hash}=`)).toBe(false);
    expect(ledger.accessHashMatches(slot, `${hash.slice(0, -1)}+`)).toBe(false);
    expect(ledger.accessHashMatches(slot, `${hash.slice(0, -1)}\u0100`)).toBe(false);
    expect(ledger.accessHashMatches(slot, '')).toBe(false);
  });

  it('caches nothing it cannot represent exactly, and nothing at capacity 0', () => {
    const ledger = ledgerOf();
    ledger.set(uuidOf(1), entryOf(1), T0);
    ledger.set(uuidOf(1), entryOf(1, { updatedAt: T0 + 0.5 }), T0);
    expect(ledger.find(uuidOf(1))).toBe(-1);
    ledger.set(uuidOf(2), entryOf(2, { expiresAt: T0 + 20 * 365 * 86_400_000 }), T0);
    expect(ledger.size).toBe(0);

    const none = ledgerOf(0);
    none.set(uuidOf(1), entryOf(1), T0);
    expect(none.find(uuidOf(1))).toBe(-1);
    expect(none.size).toBe(0);
    expect(none.expire(T0)).toBe(0);
  });

  it('keeps a null user agent and the lifetime class', () => {
    const ledger = ledgerOf();
    const entry = entryOf(1, { userAgent: null, remember: false });
    ledger.set(uuidOf(1), entry, T0);
    expect(ledger.entryAt(ledger.find(uuidOf(1)))).toEqual(entry);
  });

  it('holds anonymous sessions with no user interned, and sessions upgraded from one with their anonymous id', () => {
    const ledger = ledgerOf();
    const anonymous = entryOf(1, { user: null });
    const upgraded = entryOf(2, { anonymousId: uuidOf(77) });
    ledger.set(uuidOf(1), anonymous, T0);
    ledger.set(uuidOf(2), upgraded, T0);
    expect(ledger.entryAt(ledger.find(uuidOf(1)))).toEqual(anonymous);
    expect(ledger.entryAt(ledger.find(uuidOf(1))).user).toBeNull();
    expect(ledger.entryAt(ledger.find(uuidOf(2)))).toEqual(upgraded);
    expect(ledger.userCount).toBe(1);
    // Replacing an anonymous entry, or removing it, releases no user.
    ledger.set(uuidOf(1), entryOf(1, { user: null, updatedAt: T0 + MINUTE }), T0);
    ledger.delete(uuidOf(1));
    expect(ledger.userCount).toBe(1);
    ledger.delete(uuidOf(2));
    expect(ledger.userCount).toBe(0);
  });

  it('keeps anonymous sessions in a class of their own, expired by the anonymous idle timeout', () => {
    const ledger = ledgerOf();
    ledger.set(uuidOf(1), entryOf(1, { user: null }), T0);
    ledger.set(uuidOf(2), entryOf(2, { user: null, updatedAt: T0 + MINUTE }), T0);
    ledger.set(uuidOf(3), entryOf(3), T0);
    ledger.set(uuidOf(4), entryOf(4, { remember: false, updatedAt: T0 + 2 * MINUTE }), T0);
    const slotOf = (n: number) => ledger.find(uuidOf(n));
    expect(ledger.slotsInOrder('anonymous')).toEqual([slotOf(1), slotOf(2)]);
    expect(ledger.slotsInOrder(true)).toEqual([slotOf(3)]);
    expect(ledger.slotsInOrder(false)).toEqual([slotOf(4)]);
    ledger.touch(slotOf(1), T0 + 2 * MINUTE);
    expect(ledger.slotsInOrder('anonymous')).toEqual([slotOf(2), slotOf(1)]);

    // Three days idle ends the anonymous class (the short one ended long before); the long class (7) goes on.
    expect(ledger.expire(T0 + 3 * 86_400_000 + MINUTE)).toBe(2);
    expect([1, 2, 3, 4].map((n) => ledger.find(uuidOf(n)) !== -1)).toEqual([true, false, true, false]);
    expect(ledger.expire(T0 + 3 * 86_400_000 + 2 * MINUTE)).toBe(1);
    expect(ledger.find(uuidOf(1))).toBe(-1);
    expect(ledger.find(uuidOf(3))).not.toBe(-1);
  });

  it('makes room when full from the anonymous class too, by least recent activity', () => {
    const ledger = ledgerOf(2);
    ledger.set(uuidOf(1), entryOf(1, { updatedAt: T0 + 2 }), T0);
    ledger.set(uuidOf(2), entryOf(2, { user: null, updatedAt: T0 + 1 }), T0);
    ledger.set(uuidOf(3), entryOf(3, { updatedAt: T0 + 3 }), T0);
    expect([1, 2, 3].map((n) => ledger.find(uuidOf(n)) !== -1)).toEqual([true, false, true]);
  });
});
