import { KeycardError } from '../core/errors.js';
import type { AuditPosition } from './audit-event.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_CURSOR_LENGTH = 128;

/** An opaque cursor for the position after which the next page starts. */
export function encodeAuditCursor(position: AuditPosition): string {
  return Buffer.from(`${position.occurredAt}.${position.uuid}`, 'utf8').toString('base64url');
}

/** Reads what `encodeAuditCursor` wrote; anything else is `invalid_request` naming `cursor`. */
export function decodeAuditCursor(cursor: string): AuditPosition {
  const text =
    cursor.length <= MAX_CURSOR_LENGTH && /^[A-Za-z0-9_-]+$/.test(cursor)
      ? Buffer.from(cursor, 'base64url').toString('utf8')
      : '';
  const dot = text.indexOf('.');
  const occurredAt = Number(text.slice(0, dot));
  const uuid = text.slice(dot + 1);
  if (
    dot < 1 ||
    !/^\d+$/.test(text.slice(0, dot)) ||
    !Number.isSafeInteger(occurredAt) ||
    !UUID_PATTERN.test(uuid)
  ) {
    throw new KeycardError('invalid_request', {
      message: 'cursor: is not a cursor this server gave out.',
      details: { field: 'cursor' },
    });
  }
  return { occurredAt, uuid };
}
