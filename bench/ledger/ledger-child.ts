/**
 * One measurement of the session ledger bench, in a fresh process so heaps don't mix. Prints one JSON line.
 * Run by ledger-bench.ts as: taskset -c 1 node --expose-gc --import tsx bench/ledger/ledger-child.ts <mode> …
 *
 *   memory <ledger|map> <sessions> <users>   heap and RSS per cached session
 *   lookups <sessions>                       lookups/s and bytes allocated per lookup, ledger and map
 *   touch <sessions>                         cost of recording activity, ledger and map
 *   expiry <sessions> <expired per round>    cost of expiring a batch, per expired session
 *   pauses <ledger|map> <sessions> <seconds> worst GC pause under a request-like load
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import type { SessionUser } from '../../src/accounts/user.js';
import type { Session } from '../../src/sessions/session.js';
import type { CachedSession } from '../../src/sessions/session-cache.js';
import type { SessionLifetimes } from '../../src/sessions/session-lifetimes.js';
import { SessionLedger } from '../../src/sessions/session-ledger.js';
import { BoundedSessionCache } from './map-session-cache.js';

const LIFETIMES: SessionLifetimes = {
  short: { idleSeconds: 90 * 60, absoluteSeconds: 12 * 3600 },
  long: { idleSeconds: 7 * 86_400, absoluteSeconds: 90 * 86_400 },
  anonymous: { idleSeconds: 7 * 86_400, absoluteSeconds: 30 * 86_400 },
};
const T0 = Date.UTC(2026, 0, 1);
const USER_AGENTS = Array.from(
  { length: 64 },
  (_, index) =>
    `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${120 + (index % 16)}.0.${index}.0 Safari/537.36`,
);

const collect = (globalThis as { gc?: () => void }).gc;
function gc(): void {
  if (collect === undefined) throw new Error('run with --expose-gc');
  collect();
  collect();
}

/** A copy of `text` in a string of its own, as a database driver hands out for every row. */
function fresh(text: string): string {
  return Buffer.from(text, 'latin1').toString('latin1');
}

/** A new UUID as a flat string (`randomUUID` builds it from pieces, which would skew the heap figures). */
function newUuid(): string {
  return fresh(randomUUID());
}

const hashes = randomBytes(32 * 4096);
let hashCursor = 0;
function randomHash(): string {
  hashCursor = (hashCursor + 1) % 4096;
  if (hashCursor === 0) hashes.set(randomBytes(hashes.length));
  return hashes.toString('base64url', hashCursor * 32, hashCursor * 32 + 32);
}

/** The entry a store read gives for session `index` of `users`: every object and string its own. */
function loadedEntry(index: number, users: number, updatedAt = T0 + index): CachedSession {
  const userIndex = index % users;
  const user: SessionUser = {
    uuid: fresh(userUuids[userIndex] ?? ''),
    email: `user${userIndex}@example.com`,
    version: fresh('004'),
    createdAt: T0 - 86_400_000,
    updatedAt: T0 - 86_400_000,
  };
  const remember = index % 4 !== 0;
  const session: Session = {
    uuid: newUuid(),
    userUuid: user.uuid,
    anonymousId: null,
    apiVersion: fresh('20200115'),
    userAgent: fresh(USER_AGENTS[index % USER_AGENTS.length] ?? ''),
    createdAt: updatedAt - 3_600_000,
    updatedAt,
    remember,
    expiresAt: updatedAt - 3_600_000 + (remember ? LIFETIMES.long : LIFETIMES.short).absoluteSeconds * 1000,
    accessHash: randomHash(),
    accessExpiresAt: updatedAt + 3_600_000,
    refreshHash: randomHash(),
    refreshGeneration: 0,
    previousRefreshHash: null,
    rotatedAt: null,
    groupId: null,
    elevatedUntil: null,
  };
  return { session, user };
}

let userUuids: string[] = [];

interface Filled {
  readonly ledger?: SessionLedger;
  readonly map?: BoundedSessionCache;
  readonly uuids: string[];
  readonly accessHashes: string[];
}

function fill(kind: 'ledger' | 'map', sessions: number, users: number, keep = 0): Filled {
  const ledger =
    kind === 'ledger'
      ? new SessionLedger({ capacity: sessions, lifetimes: LIFETIMES, epochMs: T0 })
      : undefined;
  const map = kind === 'map' ? new BoundedSessionCache(sessions) : undefined;
  const uuids: string[] = [];
  const accessHashes: string[] = [];
  for (let index = 0; index < sessions; index += 1) {
    const entry = loadedEntry(index, users);
    ledger?.set(entry.session.uuid, entry, T0 + index);
    map?.set(entry.session.uuid, entry, T0 + index);
    if (index < keep) {
      uuids.push(entry.session.uuid);
      accessHashes.push(entry.session.accessHash);
    }
  }
  return {
    ...(ledger === undefined ? {} : { ledger }),
    ...(map === undefined ? {} : { map }),
    uuids,
    accessHashes,
  };
}

function memoryNow(): { heap: number; rss: number } {
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed + usage.arrayBuffers, rss: usage.rss };
}

function measureMemory(kind: 'ledger' | 'map', sessions: number, users: number): object {
  gc();
  const before = memoryNow();
  const filled = fill(kind, sessions, users);
  gc();
  const after = memoryNow();
  const size = filled.ledger?.size ?? filled.map?.size ?? 0;
  return {
    kind,
    sessions: size,
    users,
    heapPerSession: (after.heap - before.heap) / size,
    rssPerSession: (after.rss - before.rss) / size,
    tablePerSession: filled.ledger === undefined ? null : filled.ledger.tableBytes / filled.ledger.capacity,
  };
}

/**
 * Bytes the loop allocated, from heapUsed with no collection in between (the young generation is made too big
 * to fill). The first runs compile the loop, which allocates code on the heap: the last of three runs counts.
 */
function allocatedBy(loop: () => number): { bytes: number; ms: number; gcs: number; result: number } {
  let measured = { bytes: 0, ms: 0, gcs: 0, result: 0 };
  for (let run = 0; run < 3; run += 1) {
    gc();
    let gcs = 0;
    const observer = new PerformanceObserver((list) => (gcs += list.getEntries().length));
    observer.observe({ entryTypes: ['gc'] });
    const before = process.memoryUsage().heapUsed;
    const started = performance.now();
    const result = loop();
    const ms = performance.now() - started;
    const bytes = process.memoryUsage().heapUsed - before;
    observer.disconnect();
    measured = { bytes, ms, gcs, result };
  }
  return measured;
}

/** The ledger with `sessions` and the Map baseline with as many (1M at most), 4 sessions a user, `sample` kept. */
function fillBoth(sessions: number, sample: number) {
  const ledgerFilled = fill('ledger', sessions, sessions / 4, sample);
  const mapFilled = fill('map', Math.min(sessions, 1_000_000), sessions / 4, sample);
  const { ledger } = ledgerFilled;
  const { map } = mapFilled;
  if (ledger === undefined || map === undefined) throw new Error('unfilled');
  return { ledgerFilled, mapFilled, ledger, map };
}

function measureLookups(sessions: number): object {
  const lookups = 1_000_000;
  const sample = 65_536;
  const { ledgerFilled, mapFilled, ledger, map } = fillBoth(sessions, sample);
  const misses = Array.from({ length: 1024 }, () => newUuid());
  const run = (name: string, loop: () => number) => {
    const { bytes, ms, gcs, result } = allocatedBy(loop);
    return { name, perSecond: lookups / (ms / 1000), bytesPerLookup: bytes / lookups, gcs, result };
  };
  const uuids = ledgerFilled.uuids;
  const hashesOf = ledgerFilled.accessHashes;
  const hot = 1024; // a hot set the view memo holds
  return {
    sessions,
    rows: [
      run('ledger find', () => {
        let found = 0;
        for (let index = 0; index < lookups; index += 1)
          found += ledger.find(uuids[index & (sample - 1)] ?? '') >= 0 ? 1 : 0;
        return found;
      }),
      run('ledger find + validatedAt + hash compare', () => {
        let found = 0;
        for (let index = 0; index < lookups; index += 1) {
          const slot = ledger.find(uuids[index & (sample - 1)] ?? '');
          if (
            slot >= 0 &&
            ledger.validatedAtOf(slot) > 0 &&
            ledger.accessHashMatches(slot, hashesOf[index & (sample - 1)] ?? '')
          )
            found += 1;
        }
        return found;
      }),
      run('ledger hot path incl. entry object (1,024 hot sessions)', () => {
        let found = 0;
        for (let index = 0; index < lookups; index += 1) {
          const slot = ledger.find(uuids[index & (hot - 1)] ?? '');
          if (slot >= 0 && ledger.accessHashMatches(slot, hashesOf[index & (hot - 1)] ?? ''))
            found += ledger.entryAt(slot).session.updatedAt > 0 ? 1 : 0;
        }
        return found;
      }),
      run('ledger miss (unknown UUID)', () => {
        let found = 0;
        for (let index = 0; index < lookups; index += 1)
          found += ledger.find(misses[index & 1023] ?? '') >= 0 ? 1 : 0;
        return found;
      }),
      run('Map get (baseline, 1M at most)', () => {
        let found = 0;
        for (let index = 0; index < lookups; index += 1)
          found += map.get(mapFilled.uuids[index & (sample - 1)] ?? '') === undefined ? 0 : 1;
        return found;
      }),
    ],
  };
}

function measureTouch(sessions: number): object {
  const touches = 500_000;
  const sample = 65_536;
  const { ledgerFilled, mapFilled, ledger, map } = fillBoth(sessions, sample);
  let now = T0 + sessions + 60_000;
  const timeLedger = () => {
    const started = performance.now();
    for (let index = 0; index < touches; index += 1) {
      now += 1;
      ledger.touch(ledger.find(ledgerFilled.uuids[index & (sample - 1)] ?? ''), now);
    }
    return ((performance.now() - started) * 1e6) / touches;
  };
  // What recording activity cost before: a new entry object (session copied) put back into the Map.
  const timeMap = () => {
    const started = performance.now();
    for (let index = 0; index < touches; index += 1) {
      now += 1;
      const uuid = mapFilled.uuids[index & (sample - 1)] ?? '';
      const held = map.get(uuid);
      if (held === undefined) continue;
      const entry = { ...held.entry, session: { ...held.entry.session, updatedAt: now } };
      map.set(uuid, entry, held.validatedAt);
    }
    return ((performance.now() - started) * 1e6) / touches;
  };
  timeLedger();
  timeMap();
  return { sessions, ledgerNs: timeLedger(), mapNs: timeMap() };
}

function measureExpiry(sessions: number, perRound: number): object {
  const rounds = 7;
  const ledger = new SessionLedger({ capacity: sessions, lifetimes: LIFETIMES, epochMs: T0 });
  // Every session long-lived, active 1 ms after the one before: each round expires exactly `perRound`.
  for (let index = 0; index < sessions; index += 1) {
    const entry = loadedEntry(index, 1000, T0 + index);
    const longLived = {
      ...entry,
      session: { ...entry.session, remember: true, expiresAt: T0 + 365 * 86_400_000 },
    };
    ledger.set(longLived.session.uuid, longLived, T0);
  }
  const idleMs = LIFETIMES.long.idleSeconds * 1000;
  const microseconds: number[] = [];
  let expiredBefore = 0;
  for (let round = 0; round <= rounds; round += 1) {
    const now = T0 + idleMs + (round + 1) * perRound - 1;
    gc();
    const started = performance.now();
    const dropped = ledger.expire(now);
    if (round > 0) microseconds.push((performance.now() - started) * 1000); // round 0 warms the JIT up
    if (dropped !== perRound) throw new Error(`expired ${dropped}, expected ${perRound}`);
    expiredBefore += dropped;
  }
  return { sessions, perRound, microseconds, left: ledger.size, expired: expiredBefore };
}

async function measurePauses(kind: 'ledger' | 'map', sessions: number, seconds: number): Promise<object> {
  const sample = 65_536;
  const filled = fill(kind, sessions, sessions / 4, sample);
  const pauses: { kind: number; ms: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const { detail } = entry as PerformanceEntry & { detail?: { kind?: number } };
      pauses.push({ kind: detail?.kind ?? 0, ms: entry.duration });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const deadline = performance.now() + seconds * 1000;
  let requests = 0;
  let signIns = 0;
  let now = T0 + sessions + 60_000;
  // Request-like work: look up a session, check its hash, build a small reply; one request in 50 is a sign-in
  // (a new session that evicts the least recently active) and one in 10 records activity.
  while (performance.now() < deadline) {
    for (let batch = 0; batch < 1000; batch += 1) {
      requests += 1;
      now += 1;
      const pick = (requests * 2_654_435_761) % sample;
      const uuid = filled.uuids[pick] ?? '';
      let body: { user: string; updated: number } | undefined;
      if (filled.ledger !== undefined) {
        const slot = filled.ledger.find(uuid);
        if (slot >= 0 && filled.ledger.accessHashMatches(slot, filled.accessHashes[pick] ?? '')) {
          const entry = filled.ledger.entryAt(slot);
          body = { user: entry.user?.email ?? '', updated: entry.session.updatedAt };
          if (requests % 10 === 0) filled.ledger.touch(slot, now);
        }
      } else if (filled.map !== undefined) {
        const held = filled.map.get(uuid);
        if (held !== undefined && held.entry.session.accessHash === filled.accessHashes[pick]) {
          body = { user: held.entry.user?.email ?? '', updated: held.entry.session.updatedAt };
          if (requests % 10 === 0) {
            filled.map.set(
              uuid,
              { ...held.entry, session: { ...held.entry.session, updatedAt: now } },
              held.validatedAt,
            );
          }
        }
      }
      if (body !== undefined && JSON.stringify(body).length === 0) throw new Error('unreachable');
      if (requests % 50 === 0) {
        signIns += 1;
        const entry = loadedEntry(sessions + signIns, sessions / 4, now);
        filled.ledger?.set(entry.session.uuid, entry, now);
        filled.map?.set(entry.session.uuid, entry, now);
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  const sorted = pauses.map((pause) => pause.ms).sort((a, b) => a - b);
  const byKind = (mask: number) =>
    pauses.filter((pause) => (pause.kind & mask) !== 0).map((pause) => pause.ms);
  const minor = byKind(1); // NODE_PERFORMANCE_GC_MINOR
  const major = byKind(4 | 2 | 8); // MAJOR, INCREMENTAL, WEAKCB
  return {
    kind,
    sessions,
    requestsPerSecond: requests / seconds,
    pauses: sorted.length,
    worstMs: sorted.at(-1) ?? 0,

    p99Ms: sorted[Math.max(0, Math.ceil(sorted.length * 0.99) - 1)] ?? 0,
    worstMinorMs: Math.max(0, ...minor),
    majors: major.length,
    worstMajorMs: Math.max(0, ...major),
  };
}

async function main(argv: readonly string[]): Promise<object> {
  const [mode = '', ...rest] = argv;
  const numbers = rest.map(Number);
  const kind = rest[0] === 'map' ? 'map' : 'ledger';
  const sessionsArgument = mode === 'memory' || mode === 'pauses' ? numbers[1] : numbers[0];
  const sessions = sessionsArgument ?? 0;
  const users = mode === 'memory' ? (numbers[2] ?? sessions) : Math.max(1, Math.floor(sessions / 4));
  userUuids = Array.from({ length: users }, () => newUuid());
  switch (mode) {
    case 'memory':
      return measureMemory(kind, sessions, users);
    case 'lookups':
      return measureLookups(sessions);
    case 'touch':
      return measureTouch(sessions);
    case 'expiry':
      return measureExpiry(sessions, numbers[1] ?? 1000);
    case 'pauses':
      return measurePauses(kind, sessions, numbers[2] ?? 10);
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

console.log(JSON.stringify(await main(process.argv.slice(2))));
