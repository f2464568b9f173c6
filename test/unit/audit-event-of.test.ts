import { describe, expect, it } from 'vitest';
import { auditEventOf } from '../../src/audit/audit-event-of.js';
import type { KeycardEvent } from '../../src/core/keycard-events.js';

const SESSION = '5d7c1a52-8c1e-4f57-9a55-1f4e8f6f0b11';
const USER = '0b7c0f43-2a4e-4c4e-9d1f-6f2b5c8e7a90';
const request = { ip: '192.0.2.1', userAgent: 'agent' };

describe('the audit rows of anonymous sessions', () => {
  it.each<KeycardEvent>([
    { type: 'anonymous_session_started', sessionUuid: SESSION, request },
    { type: 'session_refreshed', userUuid: null, sessionUuid: SESSION, retry: false, request },
    { type: 'refresh_reuse_detected', userUuid: null, sessionUuid: SESSION, request },
    { type: 'session_ended', userUuid: null, sessionUuid: SESSION, reason: 'upgraded', request },
    { type: 'session_ended', userUuid: null, sessionUuid: SESSION, reason: 'expired' },
  ])('are not kept: $type of no user belongs to no one’s history', (event) => {
    expect(auditEventOf(event, 1000, 'uuid')).toBeUndefined();
  });

  it('leave the other events as they were: a user’s, and a failed sign-in for an unknown email', () => {
    expect(
      auditEventOf(
        { type: 'session_ended', userUuid: USER, sessionUuid: SESSION, reason: 'sign_out' },
        1000,
        'a',
      ),
    ).toMatchObject({ type: 'revoked', userUuid: USER, sessionUuid: SESSION, reason: 'sign_out' });
    expect(auditEventOf({ type: 'sign_in_failed', userUuid: null, request }, 1000, 'b')).toMatchObject({
      type: 'sign_in_failed',
      userUuid: null,
      ip: '192.0.2.1',
    });
  });
});
