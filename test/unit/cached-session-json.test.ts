import { describe, expect, it } from 'vitest';
import { decodeCachedSession, encodeCachedSession } from '../../src/store/redis/cached-session-json.js';
import { entryOf, uuidOf } from '../support/ledger-entries.js';

describe('sessions in the shared cache (Redis)', () => {
  it('round-trip a user’s session, an anonymous one and one upgraded from an anonymous one', () => {
    for (const entry of [entryOf(1), entryOf(2, { user: null }), entryOf(3, { anonymousId: uuidOf(9) })]) {
      expect(decodeCachedSession(encodeCachedSession(entry))).toEqual(entry);
    }
  });

  it('take as a miss what this version did not write, or what does not hold together', () => {
    const { session, user } = entryOf(1);
    const anonymous = entryOf(2, { user: null });
    const { anonymousId: _left, ...withoutAnonymousId } = session;
    for (const value of [
      { session: withoutAnonymousId, user }, // written before anonymous sessions
      { session, user: null }, // a user's session without its user
      { session: anonymous.session, user }, // an anonymous session with a user
      { session: { ...session, userUuid: uuidOf(5) }, user }, // another user's
      { session },
    ]) {
      expect(decodeCachedSession(JSON.stringify(value))).toBeUndefined();
    }
    expect(decodeCachedSession('not json')).toBeUndefined();
  });
});
