import { describe, expect, it } from 'vitest';
import { ClaimsStamps } from '../../src/claims/claims-stamps.js';
import { SessionLedger } from '../../src/sessions/session-ledger.js';
import {
  decodeStampMessage,
  encodeChangeMessage,
  encodeStampMessage,
} from '../../src/store/redis/change-message.js';
import { entryOf, LIFETIMES, T0, uuidOf } from '../support/ledger-entries.js';

describe('ClaimsStamps (in memory)', () => {
  it('keeps the newest stamp of each scope and tells onChange only what moved (or a bump of its own)', () => {
    const heard: string[] = [];
    const stamps = new ClaimsStamps({ onChange: (stamp) => heard.push(`${stamp.scope}:${stamp.subject}`) });
    expect(stamps.apply({ scope: 'user', subject: 'u', validAfter: 2000 })).toBe(true);
    expect(stamps.apply({ scope: 'user', subject: 'u', validAfter: 1000 })).toBe(false);
    expect(stamps.apply({ scope: 'user', subject: 'u', validAfter: 2000 })).toBe(false);
    expect(stamps.apply({ scope: 'user', subject: 'u', validAfter: 2000 }, true)).toBe(false);
    expect(heard).toEqual(['user:u', 'user:u']);
    expect(stamps.validAfter('u', null)).toBe(2000);
    stamps.apply({ scope: 'group', subject: 'g', validAfter: 3000 });
    stamps.apply({ scope: 'global', subject: '', validAfter: 1500 });
    expect(stamps.validAfter('u', 'g')).toBe(3000);
    expect(stamps.validAfter('v', null)).toBe(1500);
    expect(stamps.isStale('u', null, 1999)).toBe(true);
    expect(stamps.isStale('u', null, 2000)).toBe(false);
    expect(stamps.isStale('u', 'g', 2500)).toBe(true);
    stamps.prune(2500);
    expect(stamps.validAfter('u', null)).toBe(1500); // the user stamp went; the global one stays
    expect(stamps.validAfter('u', 'g')).toBe(3000);
  });
});

describe('elevation stamps', () => {
  it('refuse only the tokens of their session that claim an elevation, and touch no user or group stamp', () => {
    const stamps = new ClaimsStamps();
    stamps.apply({ scope: 'elevation', subject: 's1', validAfter: 2000 });
    expect(stamps.validAfter('u', null)).toBe(0);
    expect(stamps.isStale('u', null, 1999)).toBe(false);
    expect(stamps.isStale('u', null, 1999, 1, 's1')).toBe(true);
    expect(stamps.isStale('u', null, 2000, 1, 's1')).toBe(false);
    expect(stamps.isStale('u', null, 1999, 1, 's2')).toBe(false);
    expect(stamps.all()).toEqual([{ scope: 'elevation', subject: 's1', validAfter: 2000 }]);
    stamps.prune(2001);
    expect(stamps.isStale('u', null, 1999, 1, 's1')).toBe(false);
  });
});

describe('the session ledger keeps what stamps and elevation need', () => {
  it('round-trips the issue time (rotation), the group and the elevation, and forgets an elevation cleared', () => {
    const ledger = new SessionLedger({ capacity: 8, lifetimes: LIFETIMES, epochMs: T0 });
    const base = entryOf(1);
    const rotated = {
      ...base,
      session: { ...base.session, rotatedAt: T0 + 5000, groupId: 'fleet-7', elevatedUntil: T0 + 600_000 },
    };
    ledger.set(uuidOf(1), rotated, T0);
    const slot = ledger.find(uuidOf(1));
    expect(ledger.entryAt(slot).session).toMatchObject({
      rotatedAt: T0 + 5000,
      groupId: 'fleet-7',
      elevatedUntil: T0 + 600_000,
      createdAt: T0,
    });
    ledger.set(
      uuidOf(1),
      { ...rotated, session: { ...rotated.session, elevatedUntil: null, groupId: null } },
      T0,
    );
    expect(ledger.entryAt(ledger.find(uuidOf(1))).session).toMatchObject({
      rotatedAt: T0 + 5000,
      groupId: null,
      elevatedUntil: null,
    });
    ledger.set(uuidOf(2), entryOf(2), T0);
    expect(ledger.entryAt(ledger.find(uuidOf(2))).session.rotatedAt).toBeNull();
  });
});

describe('feed messages', () => {
  it('an ended session carries session.ended and its reason; stamps round-trip and junk is ignored', () => {
    const ended = JSON.parse(
      encodeChangeMessage('node', { kind: 'ended', sessionUuids: ['s'], reason: 'password_changed' }, 1),
    ) as Record<string, unknown>;
    expect(ended).toMatchObject({ kind: 'ended', event: 'session.ended', reason: 'password_changed' });
    const stamp = { scope: 'group', subject: 'fleet-7', validAfter: 1234 } as const;
    expect(decodeStampMessage(encodeStampMessage('node', stamp, 1))).toEqual({ nodeId: 'node', stamp });
    expect(
      decodeStampMessage('{"node":"n","stamp":{"scope":"root","subject":"x","valid_after":1}}'),
    ).toBeUndefined();
    expect(decodeStampMessage('not json')).toBeUndefined();
  });
});
