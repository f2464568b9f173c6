import { KeycardError } from '../core/errors.js';
import type { AuditPosition } from './audit-event.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Also the route's `maxLength`: 16 digits and two uuids fit, base64url encoded, with room to spare. */
const MAX_CURSOR_LENGTH = 128;

/**
 * An opaque cursor for the position after which the next page of `userUuid`'s events starts. It names the user
 * whose history it pages, so a cursor of another user's history (an admin's, a shared link) is refused with a
 * clear error instead of silently paging the caller's own events from an unrelated point. It is not signed, and
 * needs no signature: whatever a client writes into it, the query still reads only the caller's own events, so a
 * forged cursor can at most start the caller's own history at another point.
 */
export function encodeAuditCursor(userUuid: string, position: AuditPosition): string {
  return Buffer.from(`${position.occurredAt}.${position.uuid}.${userUuid}`, 'utf8').toString('base64url');
}

/** Reads what `encodeAuditCursor` wrote for `userUuid`; anything else is `invalid_request` naming `cursor`. */
export function decodeAuditCursor(userUuid: string, cursor: string): AuditPosition {
  const text =
    cursor.length <= MAX_CURSOR_LENGTH && /^[A-Za-z0-9_-]+$/.test(cursor)
      ? Buffer.from(cursor, 'base64url').toString('utf8')
      : '';
  const [time = '', uuid = '', owner = '', ...rest] = text.split('.');
  const occurredAt = Number(time);
  if (
    rest.length > 0 ||
    !/^\d{1,16}$/.test(time) ||
    !Number.isSafeInteger(occurredAt) ||
    !UUID_PATTERN.test(uuid) ||
    owner !== userUuid
  ) {
    throw new KeycardError('invalid_request', {
      message: 'cursor: is not a cursor this server gave out for this history.',
      details: { field: 'cursor' },
    });
  }
  return { occurredAt, uuid };
}
