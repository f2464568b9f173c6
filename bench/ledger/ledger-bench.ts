/**
 * Session ledger memory and sweep figures, against the Map of objects Keycard used before (BoundedSessionCache),
 * measured in the same run. Every figure comes from a fresh child process (ledger-child.ts) pinned to core 1, so
 * heaps never mix; ledger and Map runs alternate, and medians are reported with their spread (min–max).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median, spread } from '../core/stats.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./ledger-child.ts', import.meta.url));
const ROUNDS = 3;

async function child<T>(args: readonly (string | number)[], nodeFlags: readonly string[] = []): Promise<T> {
  const { stdout } = await run(
    'taskset',
    ['-c', '1', process.execPath, '--expose-gc', ...nodeFlags, '--import', 'tsx', CHILD, ...args.map(String)],
    { timeout: 600_000, maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as T;
}

interface MemoryFigures {
  heapPerSession: number;
  rssPerSession: number;
  tablePerSession: number | null;
}
interface LookupRow {
  name: string;
  perSecond: number;
  bytesPerLookup: number;
  gcs: number;
}
interface PauseFigures {
  requestsPerSecond: number;
  pauses: number;
  worstMs: number;
  p99Ms: number;
  majors: number;
}

const cell = (values: readonly number[], digits = 0) =>
  `${median(values).toFixed(digits)} (${spread(values, digits)})`;
const thousands = (count: number) => (count >= 1_000_000 ? `${count / 1_000_000}M` : `${count / 1000}k`);

async function memoryTable(): Promise<string> {
  const rows: string[] = [];
  const scenarios: { sessions: number; users: number; map: boolean; rounds: number }[] = [
    { sessions: 100_000, users: 1000, map: false, rounds: ROUNDS },
    { sessions: 100_000, users: 25_000, map: true, rounds: ROUNDS },
    { sessions: 1_000_000, users: 1000, map: false, rounds: ROUNDS },
    { sessions: 1_000_000, users: 250_000, map: true, rounds: ROUNDS },
    { sessions: 10_000_000, users: 1000, map: false, rounds: 2 },
  ];
  for (const { sessions, users, map, rounds } of scenarios) {
    const ledger: MemoryFigures[] = [];
    const baseline: MemoryFigures[] = [];
    const flags = sessions > 1_000_000 ? ['--max-old-space-size=12288'] : [];
    for (let round = 0; round < rounds; round += 1) {
      ledger.push(await child<MemoryFigures>(['memory', 'ledger', sessions, users], flags));
      if (map) baseline.push(await child<MemoryFigures>(['memory', 'map', sessions, users], flags));
    }
    const heap = ledger.map((figures) => figures.heapPerSession);
    const rss = ledger.map((figures) => figures.rssPerSession);
    const mapHeap = baseline.map((figures) => figures.heapPerSession);
    const mapRss = baseline.map((figures) => figures.rssPerSession);
    rows.push(
      [
        thousands(sessions),
        `${thousands(users)} (${sessions / users} each)`,
        `**${cell(heap)}**`,
        cell(rss),
        (ledger[0]?.tablePerSession ?? 0).toFixed(1),
        map ? cell(mapHeap) : '—',
        map ? cell(mapRss) : '—',
        map ? `${(median(mapHeap) / median(heap)).toFixed(1)}×` : '—',
      ].join(' | '),
    );
  }
  return [
    'Bytes per cached session (heap = V8 heap used + ArrayBuffers, after a full GC; RSS = resident set growth).',
    '',
    '| sessions | users (sessions each) | ledger heap B | ledger RSS B | ledger table B | Map heap B | Map RSS B | Map/ledger heap |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

async function lookupTable(): Promise<string> {
  const runs: { rows: LookupRow[] }[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    runs.push(await child<{ rows: LookupRow[] }>(['lookups', 1_000_000], ['--max-semi-space-size=256']));
  }
  const names = runs[0]?.rows.map((row) => row.name) ?? [];
  const rateOf = (name: string) =>
    runs.map((figures) => figures.rows.find((row) => row.name === name)?.perSecond ?? 0);
  const baseline = median(rateOf(names.at(-1) ?? ''));
  return [
    'Lookups at 1M cached sessions, 1M per run over 65,536 distinct sessions (misses: 1,024 unknown UUIDs).',
    'Allocation: heapUsed growth over the third run of the loop, with a 256 MB young generation so no GC runs.',
    '',
    '| operation | lookups/s | bytes allocated per lookup | GCs in the loop | vs Map get |',
    '|---|---|---|---|---|',
    ...names.map((name) => {
      const rows = runs.map((figures) => figures.rows.find((row) => row.name === name));
      const rates = rateOf(name);
      const bytes = rows.map((row) => row?.bytesPerLookup ?? NaN);
      const gcs = rows.map((row) => row?.gcs ?? NaN);
      return `| ${name} | ${cell(rates)} | **${cell(bytes, 4)}** | ${Math.max(...gcs)} | ${(median(rates) / baseline).toFixed(2)} |`;
    }),
  ].join('\n');
}

async function touchTable(): Promise<string> {
  const runs: { ledgerNs: number; mapNs: number }[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    runs.push(await child<{ ledgerNs: number; mapNs: number }>(['touch', 1_000_000]));
  }
  const ledger = runs.map((figures) => figures.ledgerNs);
  const map = runs.map((figures) => figures.mapNs);
  return [
    'Recording activity at 1M sessions (find + move to the tail of its list; before: copy the entry, Map.set).',
    '',
    '| ledger ns/touch | Map ns/touch | Map/ledger |',
    '|---|---|---|',
    `| **${cell(ledger)}** | ${cell(map)} | ${(median(map) / median(ledger)).toFixed(2)} |`,
  ].join('\n');
}

async function expiryTable(): Promise<string> {
  const scenarios = [
    { sessions: 100_000, expired: 1000 },
    { sessions: 1_000_000, expired: 1000 },
    { sessions: 1_000_000, expired: 10_000 },
  ];
  const rows: string[] = [];
  for (const { sessions, expired } of scenarios) {
    const figures = await child<{ microseconds: number[] }>(['expiry', sessions, expired]);
    const perSession = figures.microseconds.map((us) => (us * 1000) / expired);
    rows.push(
      `| ${thousands(sessions)} | ${thousands(expired)} | ${cell(figures.microseconds)} | **${cell(perSession)}** |`,
    );
  }
  return [
    'Expiry: `expire(now)` popping list heads, 7 rounds per table after a warm-up round.',
    '',
    '| table | expired per round | µs per round | ns per expired session |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

async function pauseTable(): Promise<string> {
  const ledger: PauseFigures[] = [];
  const map: PauseFigures[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    ledger.push(await child<PauseFigures>(['pauses', 'ledger', 1_000_000, 8]));
    map.push(await child<PauseFigures>(['pauses', 'map', 1_000_000, 8]));
  }
  const row = (name: string, figures: PauseFigures[]) =>
    `| ${name} | **${cell(
      figures.map((f) => f.worstMs),
      1,
    )}** | ${cell(
      figures.map((f) => f.p99Ms),
      1,
    )} | ${cell(figures.map((f) => f.pauses))} | ${Math.max(...figures.map((f) => f.majors))} | ${cell(figures.map((f) => f.requestsPerSecond))} |`;
  return [
    'GC pauses at 1M cached sessions (250k users) under 8 s of request-like load: lookup, hash compare, entry,',
    'a reply object; one request in 10 records activity, one in 50 is a sign-in that evicts. PerformanceObserver `gc`.',
    '',
    '| cache | worst pause ms | p99 pause ms | pauses | major GCs | requests/s |',
    '|---|---|---|---|---|---|',
    row('ledger', ledger),
    row('Map of objects', map),
  ].join('\n');
}

export async function measureLedger(): Promise<string> {
  const sections = [
    await memoryTable(),
    await lookupTable(),
    await touchTable(),
    await expiryTable(),
    await pauseTable(),
  ];
  return sections.join('\n\n');
}
