import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import type { AuditLogStore } from '../../src/audit/audit-log-store.js';
import { createAuditRecorder } from '../../src/audit/create-audit-recorder.js';
import { KeycardError } from '../../src/core/errors.js';

const AT = Date.UTC(2026, 0, 1);

/** A store that fails while `failWith` returns an error for the batch, and keeps what it accepted. */
function fakeStore(failWith: (batch: readonly AuditEvent[]) => Error | undefined = () => undefined) {
  const written: AuditEvent[] = [];
  const batches: number[] = [];
  const store: AuditLogStore = {
    appendAuditEvents(batch) {
      batches.push(batch.length);
      const error = failWith(batch);
      if (error !== undefined) return Promise.reject(error);
      written.push(...batch);
      return Promise.resolve();
    },
    listAuditEvents: () => Promise.resolve([]),
    pruneAuditEvents: () => Promise.resolve(0),
    deleteUserAuditEvents: () => Promise.resolve(),
  };
  return { store, written, batches };
}

function recordSignIns(record: ReturnType<typeof createAuditRecorder>['record'], agents: string[]): void {
  for (const userAgent of agents) {
    record(
      { type: 'signed_in', userUuid: 'u', sessionUuid: 's', request: { ip: '192.0.2.1', userAgent } },
      AT,
    );
  }
}

const agentsOf = (events: readonly AuditEvent[]) => events.map((event) => event.userAgent);

const tick = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the audit recorder', () => {
  it('at rest writes a row on the next turn; right after a write, lets rows gather for gatherMs into one write', async () => {
    const { store, written, batches } = fakeStore();
    const recorder = createAuditRecorder(store, { gatherMs: 40 });
    recordSignIns(recorder.record, ['a']);
    await tick();
    await tick();
    expect(agentsOf(written)).toEqual(['a']);
    // Busy: the next rows wait for one another instead of going one write each.
    recordSignIns(recorder.record, ['b']);
    await tick();
    recordSignIns(recorder.record, ['c']);
    await tick();
    expect(agentsOf(written)).toEqual(['a']);
    await sleep(80);
    expect(agentsOf(written)).toEqual(['a', 'b', 'c']);
    expect(batches).toEqual([1, 2]);
    // At rest again (no write for longer than gatherMs): written on the next turn.
    await sleep(60);
    recordSignIns(recorder.record, ['d']);
    await tick();
    await tick();
    expect(batches).toEqual([1, 2, 1]);
    await recorder.close();
  });

  it('writes what is queued in batches, in the order it happened', async () => {
    const { store, written, batches } = fakeStore();
    const recorder = createAuditRecorder(store, { maxBatch: 2 });
    recordSignIns(recorder.record, ['a', 'b', 'c', 'd', 'e']);
    await recorder.flush();
    expect(agentsOf(written)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(batches).toEqual([2, 2, 1]);
    await recorder.close();
  });

  it('keeps at most maxPending events while the store is down, says once that it drops the rest, and writes the kept ones when it is back', async () => {
    let down = true;
    const { store, written } = fakeStore(() => (down ? new KeycardError('store_unavailable') : undefined));
    const errors: string[] = [];
    const recorder = createAuditRecorder(store, {
      maxPending: 3,
      retryDelayMs: 60_000,
      onError: (error) => errors.push(String(error)),
    });
    recordSignIns(recorder.record, ['a', 'b', 'c', 'd', 'e']);
    for (let attempt = 0; attempt < 5; attempt += 1) await recorder.flush();
    expect(written).toEqual([]);
    expect(errors.filter((error) => error.includes('dropping'))).toHaveLength(1);
    // Waiting for an unavailable store drops nothing more, however many times it fails.
    down = false;
    await recorder.flush();
    expect(agentsOf(written)).toEqual(['a', 'b', 'c']);
    await recorder.close();
  });

  it('gives up a batch the store keeps refusing after maxRefusals tries, and writes the ones behind it', async () => {
    const { store, written } = fakeStore((batch) =>
      batch.some((event) => event.userAgent === 'poison') ? new Error('invalid byte sequence') : undefined,
    );
    const errors: string[] = [];
    const recorder = createAuditRecorder(store, {
      maxBatch: 2,
      maxRefusals: 3,
      retryDelayMs: 60_000,
      onError: (error) => errors.push(String(error)),
    });
    recordSignIns(recorder.record, ['poison', 'a', 'b']);
    for (let attempt = 0; attempt < 3; attempt += 1) await recorder.flush();
    expect(errors.at(-1)).toContain('dropped 2 events');
    await recorder.flush();
    expect(agentsOf(written)).toEqual(['b']);
    await recorder.close();
  });

  it('on close, writes what is queued, then reports what it could not write and records nothing more', async () => {
    const { store, written } = fakeStore();
    const recorder = createAuditRecorder(store);
    recordSignIns(recorder.record, ['a']);
    await recorder.close();
    recordSignIns(recorder.record, ['late']);
    await recorder.flush();
    expect(agentsOf(written)).toEqual(['a']);

    const errors: string[] = [];
    const down = createAuditRecorder(fakeStore(() => new KeycardError('store_unavailable')).store, {
      onError: (error) => errors.push(String(error)),
    });
    recordSignIns(down.record, ['a', 'b']);
    await down.close();
    expect(errors.at(-1)).toContain('2 events could not be written before shutdown');
  });

  it('keeps no row for a grace retry, which changes nothing', async () => {
    const { store, written } = fakeStore();
    const recorder = createAuditRecorder(store);
    recorder.record({ type: 'session_refreshed', userUuid: 'u', sessionUuid: 's', retry: true }, AT);
    recorder.record({ type: 'session_refreshed', userUuid: 'u', sessionUuid: 's', retry: false }, AT);
    await recorder.close();
    expect(written.map((event) => event.type)).toEqual(['refreshed']);
  });
});
