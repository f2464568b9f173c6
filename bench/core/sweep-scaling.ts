/**
 * The expiry sweep reads only through the expiry indexes, so its time should follow the number of expired
 * sessions, not the size of the table. Times `keycard.sweep()` on SQLite files of 100k and 1M sessions with 1%
 * expired (and 1M with the same 1,000 expired as 100k), then a second sweep with nothing left to do; the
 * scenarios alternate over several rounds. Prints the query plan of every statement the sweep ran.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../../src/core/config.js';
import { createKeycard, type Keycard } from '../../src/keycard.js';
import { keycardOptionsFrom } from '../../src/keycard-options.js';
import { createSqliteStore } from '../../src/store/sqlite/create-sqlite-store.js';
import { median, spread } from './stats.js';
import { createSweepFixture, type SweepFixture } from './sweep-fixture.js';

export interface SweepScenario {
  readonly sessions: number;
  readonly expired: number;
}

export interface SweepTiming extends SweepScenario {
  readonly sweptPerRound: number[];
  readonly sweepMs: number[];
  readonly emptySweepMs: number[];
  /** The longest the sweep kept the event loop from running anything else (a timer's late firing), ms. */
  readonly longestStallMs: number[];
}

export const DEFAULT_SWEEP_SCENARIOS: readonly SweepScenario[] = [
  { sessions: 100_000, expired: 1_000 },
  { sessions: 1_000_000, expired: 10_000 },
  { sessions: 1_000_000, expired: 1_000 },
];

/** Statements better-sqlite3 ran while `capturing` is on, with their parameters: the real SQL of the store. */
const captured = new Map<string, unknown[]>();
let capturing = false;
const prototype = Database.prototype as unknown as { prepare: (this: unknown, sql: string) => unknown };
const prepare = prototype.prepare;
prototype.prepare = function capture(this: unknown, sql: string) {
  const statement = prepare.call(this, sql) as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ['all', 'run', 'get', 'iterate'] as const) {
    const original = statement[method];
    if (original === undefined) continue;
    statement[method] = (...args: unknown[]) => {
      if (capturing && !captured.has(sql)) captured.set(sql, args);
      return original.apply(statement, args);
    };
  }
  return statement;
};

function queryPlans(filename: string): string[] {
  const db = new Database(filename, { readonly: true });
  try {
    return [...captured].map(([sql, args]) => {
      const plan = db.prepare(`explain query plan ${sql}`).all(...args) as { detail: string }[];
      const shown = sql.replace(/\(\?(, \?)+\)/g, (list) => `(?×${list.split('?').length - 1})`);
      return `\`${shown}\`\n  → ${plan.map((step) => step.detail).join('; ')}`;
    });
  } finally {
    db.close();
  }
}

/** Starts watching the event loop; the function returned stops and gives the longest gap between ticks (ms). */
function watchEventLoop(): () => number {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  return () => {
    clearInterval(timer);
    return Math.max(longest, performance.now() - last);
  };
}

/** A Keycard on the fixture's database, with the server's default options (what `keycard serve` runs with). */
async function openKeycard(filename: string): Promise<Keycard> {
  return createKeycard(
    { store: await createSqliteStore({ filename, migrate: false }) },
    keycardOptionsFrom(loadConfig({}), Buffer.alloc(32, 1)),
  );
}

export async function measureSweep(
  scenarios: readonly SweepScenario[] = DEFAULT_SWEEP_SCENARIOS,
  rounds = 3,
): Promise<{ timings: SweepTiming[]; plans: string[]; fillSeconds: number }> {
  const folder = mkdtempSync(join(tmpdir(), 'keycard-bench-sweep-'));
  const tables = new Map<number, { fixture: SweepFixture; keycard: Keycard }>();
  try {
    const filled = performance.now();
    for (const sessions of new Set(scenarios.map((scenario) => scenario.sessions))) {
      const fixture = await createSweepFixture(join(folder, `sessions-${sessions}.db`), sessions);
      tables.set(sessions, { fixture, keycard: await openKeycard(fixture.filename) });
    }
    const fillSeconds = (performance.now() - filled) / 1000;
    const timings = scenarios.map((scenario) => ({
      ...scenario,
      sweptPerRound: [] as number[],
      sweepMs: [] as number[],
      emptySweepMs: [] as number[],
      longestStallMs: [] as number[],
    }));
    for (let round = 0; round < rounds; round += 1) {
      for (const timing of timings) {
        const table = tables.get(timing.sessions);
        if (table === undefined) continue;
        table.fixture.expire(timing.expired);
        capturing = round === 0 && timing === timings.at(-1);
        let started = performance.now();
        const stopWatching = watchEventLoop();
        const { expired } = await table.keycard.sweep();
        timing.sweepMs.push(performance.now() - started);
        timing.longestStallMs.push(stopWatching());
        started = performance.now();
        await table.keycard.sweep();
        timing.emptySweepMs.push(performance.now() - started);
        capturing = false;
        timing.sweptPerRound.push(expired);
        table.fixture.refill();
      }
    }
    const last = tables.get(scenarios.at(-1)?.sessions ?? 0);
    return { timings, plans: last === undefined ? [] : queryPlans(last.fixture.filename), fillSeconds };
  } finally {
    for (const { fixture, keycard } of tables.values()) {
      await keycard.close();
      fixture.close();
    }
    rmSync(folder, { recursive: true, force: true });
  }
}

function cell(values: readonly number[], digits: number): string {
  return `${median(values).toFixed(digits)} (${spread(values, digits)})`;
}

export function formatSweep({
  timings,
  plans,
  fillSeconds,
}: {
  timings: SweepTiming[];
  plans: string[];
  fillSeconds: number;
}): string {
  const [base] = timings;
  const baseMs = base === undefined ? NaN : median(base.sweepMs);
  const rows = timings.map((timing) => {
    const ms = median(timing.sweepMs);
    const expiredRatio = base === undefined ? NaN : timing.expired / base.expired;
    const swept = [...new Set(timing.sweptPerRound)].join(', ');
    return `| ${timing.sessions.toLocaleString('en')} | ${timing.expired.toLocaleString('en')} (${((100 * timing.expired) / timing.sessions).toFixed(1)}%) | ${swept} | ${cell(timing.sweepMs, 1)} | ${((1000 * ms) / timing.expired).toFixed(1)} | ${(ms / baseMs).toFixed(2)} | **${(ms / baseMs / expiredRatio).toFixed(2)}** | ${cell(timing.emptySweepMs, 2)} | ${cell(timing.longestStallMs, 0)} |`;
  });
  return [
    `| sessions | expired | swept | sweep ms, median (min–max) | µs per expired session | time ratio to the first row | time ratio per expired session (≈ 1 when the cost follows expired rows only) | second sweep, nothing to do, ms | longest event-loop stall during the sweep, ms |`,
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `${timings[0]?.sweepMs.length ?? 0} alternating rounds; each round makes the sessions expired again (a third each by long idle, short idle and absolute expiry, spread evenly through the table), sweeps with \`keycard.sweep()\` (batches of 1,000), sweeps again, then refills the table. Filling the tables with prepared statements took ${fillSeconds.toFixed(0)} s.`,
    '',
    'Query plans of every statement the sweep ran (SQLite `EXPLAIN QUERY PLAN`, with the parameters it ran with):',
    '',
    ...plans.map((plan) => `- ${plan}`),
  ].join('\n');
}
