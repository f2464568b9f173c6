import { KeycardError } from '../core/errors.js';
import type { AuditEvent } from './audit-event.js';
import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor.js';
import type { AuditLogStore } from './audit-log-store.js';

export const DEFAULT_EVENTS_PAGE_SIZE = 20;
export const MAX_EVENTS_PAGE_SIZE = 100;

export interface EventsPageRequest {
  /** 1 to 100; default 20. */
  readonly limit?: number;
  /** The `nextCursor` of the previous page; none for the newest events. */
  readonly cursor?: string;
}

export interface EventsPage {
  /** Newest first. */
  readonly events: AuditEvent[];
  /** Where the next (older) page starts; null on the last page. */
  readonly nextCursor: string | null;
}

/**
 * One page of a user's security history, newest first, paged by a cursor (keyset paging: a page never repeats or
 * skips an event because newer ones arrived meanwhile). Bad input, or a cursor of another user's history, is
 * `invalid_request` naming the field.
 */
export async function listUserEvents(
  store: AuditLogStore,
  userUuid: string,
  { limit = DEFAULT_EVENTS_PAGE_SIZE, cursor }: EventsPageRequest = {},
): Promise<EventsPage> {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_EVENTS_PAGE_SIZE) {
    throw new KeycardError('invalid_request', {
      message: `limit: must be a whole number from 1 to ${MAX_EVENTS_PAGE_SIZE}.`,
      details: { field: 'limit' },
    });
  }
  const before = cursor === undefined ? undefined : decodeAuditCursor(userUuid, cursor);
  // One more than asked tells whether there is a next page without a second query.
  const found = await store.listAuditEvents(userUuid, before, limit + 1);
  const events = found.slice(0, limit);
  const last = events.at(-1);
  return {
    events,
    nextCursor: found.length > limit && last !== undefined ? encodeAuditCursor(userUuid, last) : null,
  };
}
