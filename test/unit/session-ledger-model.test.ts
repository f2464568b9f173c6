import { describe, expect, it } from 'vitest';
import { SessionLedger } from '../../src/sessions/session-ledger.js';
import type { CachedSession } from '../../src/sessions/session-cache.js';
import { entryOf, LIFETIMES, T0, userOf, uuidOf } from '../support/ledger-entries.js';

/** Small, seeded PRNG (mulberry32), so a failure replays. */
function randomFrom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), state | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Modelled {
  entry: CachedSession;
  validatedAt: number;
}

/** The ledger's contract as plain Maps and arrays: lists per class in order of activity. */
class LedgerModel {
  readonly entries = new Map<string, Modelled>();
  readonly lists: [string[], string[]] = [[], []];
  constructor(readonly capacity: number) {}

  #listOf(uuid: string): string[] {
    return this.lists[this.entries.get(uuid)?.entry.session.remember === true ? 1 : 0];
  }

  #unlink(uuid: string): void {
    const list = this.#listOf(uuid);
    list.splice(list.indexOf(uuid), 1);
  }

  set(entry: CachedSession, validatedAt: number): void {
    const { uuid } = entry.session;
    if (this.entries.has(uuid)) this.#unlink(uuid);
    else if (this.entries.size >= this.capacity) {
      const [short, long] = this.lists;
      const updatedOf = (key: string | undefined) =>
        this.entries.get(key ?? '')?.entry.session.updatedAt ?? 0;
      const victim =
        short[0] === undefined || (long[0] !== undefined && updatedOf(long[0]) < updatedOf(short[0]))
          ? long[0]
          : short[0];
      if (victim !== undefined) this.delete(victim);
    }
    this.entries.set(uuid, { entry, validatedAt });
    this.lists[entry.session.remember ? 1 : 0].push(uuid);
  }

  touch(uuid: string, updatedAt: number): void {
    const held = this.entries.get(uuid);
    if (held === undefined) return;
    this.#unlink(uuid);
    held.entry = { ...held.entry, session: { ...held.entry.session, updatedAt } };
    this.lists[held.entry.session.remember ? 1 : 0].push(uuid);
  }

  delete(uuid: string): void {
    if (!this.entries.has(uuid)) return;
    this.#unlink(uuid);
    this.entries.delete(uuid);
  }

  expire(now: number): number {
    let dropped = 0;
    for (const [index, idle] of [
      LIFETIMES.short.idleSeconds * 1000,
      LIFETIMES.long.idleSeconds * 1000,
    ].entries()) {
      for (;;) {
        const head = this.lists[index as 0 | 1][0];
        const held = head === undefined ? undefined : this.entries.get(head);
        if (head === undefined || held === undefined) break;
        if (Math.min(held.entry.session.updatedAt + idle, held.entry.session.expiresAt) > now) break;
        this.delete(head);
        dropped += 1;
      }
    }
    return dropped;
  }
}

describe('session ledger against a model', () => {
  for (const seed of [1, 2, 3]) {
    it(`agrees with a Map model over 20,000 random operations (seed ${seed})`, () => {
      const random = randomFrom(seed);
      const pick = (count: number) => Math.floor(random() * count);
      const capacity = 48;
      const ledger = new SessionLedger({ capacity, lifetimes: LIFETIMES, epochMs: T0 });
      const model = new LedgerModel(capacity);
      let now = T0;

      for (let step = 0; step < 20_000; step += 1) {
        now += pick(4 * 60_000);
        const n = pick(120);
        const uuid = uuidOf(n);
        const operation = random();
        if (operation < 0.4) {
          const entry = entryOf(n, {
            user: userOf(pick(10), T0 + pick(3)),
            remember: n % 3 !== 0,
            updatedAt: now - pick(30 * 60_000),
          });
          ledger.set(uuid, entry, now);
          model.set(entry, now);
        } else if (operation < 0.6) {
          const slot = ledger.find(uuid);
          expect(slot >= 0).toBe(model.entries.has(uuid));
          if (slot >= 0) ledger.touch(slot, now);
          model.touch(uuid, now);
        } else if (operation < 0.75) {
          ledger.delete(uuid);
          model.delete(uuid);
        } else if (operation < 0.8) {
          expect(ledger.expire(now)).toBe(model.expire(now));
        } else if (operation < 0.8005) {
          ledger.clear();
          model.entries.clear();
          model.lists.forEach((list) => (list.length = 0));
        }

        const slot = ledger.find(uuid);
        const held = model.entries.get(uuid);
        expect(slot >= 0).toBe(held !== undefined);
        if (held !== undefined) {
          const view = ledger.entryAt(slot);
          expect(view.session).toEqual(held.entry.session);
          expect(view.user?.uuid).toBe(held.entry.user?.uuid);
          expect(ledger.validatedAtOf(slot)).toBe(held.validatedAt);
          expect(ledger.accessHashMatches(slot, held.entry.session.accessHash)).toBe(true);
        }
        if (step % 500 === 0) {
          expect(ledger.size).toBe(model.entries.size);
          for (const remember of [false, true]) {
            const expected = model.lists[remember ? 1 : 0].map((key) => ledger.find(key));
            expect(ledger.slotsInOrder(remember)).toEqual(expected);
          }
          const users = new Set([...model.entries.values()].map((held) => held.entry.user?.uuid));
          expect(ledger.userCount).toBe(users.size);
        }
      }
    });
  }
});
