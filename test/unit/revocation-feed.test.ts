import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { SessionLedger } from '../../src/sessions/session-ledger.js';
import { SessionStateCache } from '../../src/sessions/session-state-cache.js';
import { RevocationState } from '../../src/verify/revocation-state.js';
import type { JwtClaims } from '../../src/verify/jwt-claims.js';
import { parseRevocationMessage } from '../../src/verify/revocation-message.js';

const lifetimes = {
  short: { idleSeconds: 60, absoluteSeconds: 600 },
  long: { idleSeconds: 600, absoluteSeconds: 6000 },
  anonymous: { idleSeconds: 600, absoluteSeconds: 6000 },
};

describe('the revocation stream hears every ended session', () => {
  it('those ended here, announced by other nodes, and found by the poll; not rotations', async () => {
    const heard: string[][] = [];
    const cache = new SessionStateCache({
      local: new SessionLedger({ capacity: 10, lifetimes }),
      clock: new ManualClock(),
      onEnded: (uuids) => heard.push([...uuids]),
    });
    await cache.ended(['a']);
    cache.applyRemoteChange({ kind: 'ended', sessionUuids: ['b'] });
    cache.applyRemoteChange({ kind: 'rotated', sessionUuids: ['c'] });
    await cache.applyPolledChange({ kind: 'ended', sessionUuids: ['b', 'd'] });
    expect(heard).toEqual([['a'], ['b'], ['d']]);
  });
});

describe('RevocationState', () => {
  const claims = (overrides: Partial<JwtClaims> = {}): JwtClaims => ({
    iss: 'i',
    sub: 'user-1',
    aud: 'api',
    exp: 2000,
    iat: 1000,
    sid: 'session-1',
    ...overrides,
  });

  it('refuses ended sessions, and tokens issued before a user, group or global stamp', () => {
    const state = new RevocationState({ retentionMs: 60_000 });
    expect(state.check(claims())).toBeUndefined();
    state.apply({ kind: 'ended', sessions: ['session-1'], at: 0 }, 0);
    expect(state.check(claims())).toBe('token_revoked');
    state.apply({ kind: 'stamp', scope: 'user', id: 'user-2', validAfter: 1_000_001, at: 0 }, 0);
    expect(state.check(claims({ sid: 's', sub: 'user-2' }))).toBe('claims_stale');
    expect(state.check(claims({ sid: 's', sub: 'user-2', iat: 1001 }))).toBeUndefined();
    state.apply({ kind: 'stamp', scope: 'group', id: 'admins', validAfter: 1_000_500, at: 0 }, 0);
    expect(state.check(claims({ sid: 's', groups: ['admins'] }))).toBe('claims_stale');
    expect(state.check(claims({ sid: 's', groups: ['others'] }))).toBeUndefined();
    // A stamp never moves back.
    state.apply({ kind: 'stamp', scope: 'user', id: 'user-2', validAfter: 5, at: 0 }, 0);
    expect(state.check(claims({ sid: 's', sub: 'user-2' }))).toBe('claims_stale');
    // An incomplete snapshot makes everything issued before it stale.
    state.apply({ kind: 'snapshot', sessions: [], stamps: [], complete: false, at: 1_000_000 }, 0);
    expect(state.check(claims({ sid: 's', iat: 999 }))).toBe('claims_stale');
    expect(state.check(claims({ sid: 's', iat: 1000 }))).toBeUndefined();
  });

  it('compares millisecond iat exactly, and refuses a token claiming an elevation its session dropped since', () => {
    const state = new RevocationState({ retentionMs: 60_000 });
    state.apply({ kind: 'stamp', scope: 'user', id: 'user-1', validAfter: 1_000_500, at: 0 }, 0);
    expect(state.check(claims({ sid: 's', iat: 1000.499 }))).toBe('claims_stale');
    expect(state.check(claims({ sid: 's', iat: 1000.5 }))).toBeUndefined();

    state.apply({ kind: 'stamp', scope: 'elevation', id: 'session-2', validAfter: 1_000_700, at: 0 }, 0);
    expect(state.check(claims({ sid: 'session-2', iat: 1000.6, elv: 1600 }))).toBe('claims_stale');
    expect(state.check(claims({ sid: 'session-2', iat: 1000.6 }))).toBeUndefined(); // claims none
    expect(state.check(claims({ sid: 'session-2', iat: 1000.7, elv: 1600 }))).toBeUndefined();
    expect(state.check(claims({ sid: 'session-3', iat: 1000.6, elv: 1600 }))).toBeUndefined();

    // A snapshot carries elevation stamps apart; an older verifier reading only `stamps` still parses it.
    const snapshot = parseRevocationMessage(
      JSON.stringify({
        kind: 'snapshot',
        sessions: [],
        stamps: [],
        elevations: [{ scope: 'elevation', id: 'session-4', validAfter: 1_000_900 }],
        complete: true,
        at: 1_001_000,
      }),
    );
    expect(snapshot).toMatchObject({ elevations: [{ id: 'session-4' }] });
    if (snapshot !== undefined) state.apply(snapshot, 0);
    expect(state.check(claims({ sid: 'session-4', iat: 1000.8, elv: 1600 }))).toBe('claims_stale');
  });

  it('forgets ended sessions once every token of theirs has expired', () => {
    const state = new RevocationState({ retentionMs: 1000 });
    state.apply({ kind: 'ended', sessions: ['old'], at: 0 }, 0);
    state.apply({ kind: 'ended', sessions: ['new'], at: 0 }, 2001);
    expect(state.check(claims({ sid: 'old' }))).toBeUndefined();
    expect(state.check(claims({ sid: 'new' }))).toBe('token_revoked');
  });
});
