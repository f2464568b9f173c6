/**
 * Values shared by many cached sessions (a user, a user agent), kept once each with a reference count: the
 * session ledger stores a small id per session instead of a reference per session, and a value is let go when its
 * last session leaves.
 */
export class InternTable<T> {
  readonly #ids = new Map<string, number>();
  readonly #keys: (string | undefined)[] = [];
  readonly #values: (T | undefined)[] = [];
  #references = new Int32Array(64);
  readonly #freeIds: number[] = [];

  /** How many distinct values are held. */
  get size(): number {
    return this.#ids.size;
  }

  /**
   * Takes one reference to the value under `key`, adding `value` if there is none. `replaces(current, offered)`
   * decides whether an offered value supersedes the one held (a newer copy of a user); by default it never does.
   */
  acquire(key: string, value: T, replaces?: (current: T, offered: T) => boolean): number {
    const known = this.#ids.get(key);
    if (known !== undefined) {
      const current = this.#values[known];
      if (current !== undefined && replaces?.(current, value) === true) this.#values[known] = value;
      this.#references[known] = (this.#references[known] ?? 0) + 1;
      return known;
    }
    const id = this.#freeIds.pop() ?? this.#keys.length;
    if (id >= this.#references.length) {
      const grown = new Int32Array(this.#references.length * 2);
      grown.set(this.#references);
      this.#references = grown;
    }
    this.#ids.set(key, id);
    this.#keys[id] = key;
    this.#values[id] = value;
    this.#references[id] = 1;
    return id;
  }

  /** Drops one reference; the value is forgotten with its last one. */
  release(id: number): void {
    const left = (this.#references[id] ?? 0) - 1;
    this.#references[id] = left;
    if (left > 0) return;
    const key = this.#keys[id];
    if (key !== undefined) this.#ids.delete(key);
    this.#keys[id] = undefined;
    this.#values[id] = undefined;
    this.#references[id] = 0;
    this.#freeIds.push(id);
  }

  /** The value behind an id that is held. */
  valueOf(id: number): T {
    const value = this.#values[id];
    if (value === undefined) throw new RangeError(`no interned value with id ${id}`);
    return value;
  }

  referencesOf(id: number): number {
    return this.#references[id] ?? 0;
  }

  clear(): void {
    this.#ids.clear();
    this.#keys.length = 0;
    this.#values.length = 0;
    this.#references.fill(0);
    this.#freeIds.length = 0;
  }
}
