import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { createAuditEventIds } from '../src/audit/audit-event-ids.js';
import { pruneAuditLog } from '../src/audit/prune-audit-log.js';
import { auditEventAt } from './support/audit-events.js';
import { registerUser, useTestKeycard } from './support/test-keycard.js';

const DAY_MS = 86_400_000;

const r = useTestKeycard({ auditRetentionSeconds: 2 * 86_400 }, { auditLog: true });

describe('audit log retention', () => {
  it('prunes, in the sweep, the events older than the retention and keeps the newer ones', async () => {
    const old = await registerUser(r.app);
    r.clock.advance(DAY_MS);
    const newer = await registerUser(r.app);
    r.clock.advance(DAY_MS + 1);

    expect((await r.keycard.sweep()).auditEventsPruned).toBe(1);
    expect((await r.keycard.listUserEvents(old.user.uuid)).events).toEqual([]);
    expect((await r.keycard.listUserEvents(newer.user.uuid)).events).toEqual([
      expect.objectContaining({ type: 'created', sessionUuid: newer.session.uuid }),
    ]);
    expect((await r.keycard.sweep()).auditEventsPruned).toBe(0);
  });

  it('deletes in batches of the given size until none older is left, at most so many batches a sweep', async () => {
    const nextUuid = createAuditEventIds();
    const user = randomUUID();
    const cutoff = r.clock.now();
    const old = [7, 6, 5, 4, 3, 2, 1].map((ago) => auditEventAt(nextUuid, user, cutoff - ago * DAY_MS));
    const kept = [0, 1].map((after) => auditEventAt(nextUuid, user, cutoff + after));
    await r.store.appendAuditEvents([...old, ...kept]);
    const prune = vi.spyOn(r.store, 'pruneAuditEvents');

    expect(await pruneAuditLog(r.store, cutoff, { batchSize: 2, maxBatches: 3 })).toBe(6);
    expect(prune.mock.calls).toEqual([
      [cutoff, 2],
      [cutoff, 2],
      [cutoff, 2],
    ]);
    const afterFirstSweep = await r.keycard.listUserEvents(user, { limit: 100 });
    expect(afterFirstSweep.events).toHaveLength(3);
    // The oldest go first; an event at the cutoff itself is not older than it.
    expect(afterFirstSweep.events.map((event) => event.occurredAt)).toEqual([
      cutoff + 1,
      cutoff,
      cutoff - DAY_MS,
    ]);

    prune.mockClear();
    expect(await pruneAuditLog(r.store, cutoff, { batchSize: 2, maxBatches: 3 })).toBe(1);
    expect(prune).toHaveBeenCalledTimes(1); // a short batch means nothing older is left
    expect((await r.keycard.listUserEvents(user, { limit: 100 })).events).toEqual([...kept].reverse());
  });
});
