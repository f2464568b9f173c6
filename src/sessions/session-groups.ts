import { bumpStamp } from '../claims/bump-stamp.js';
import { KeycardError } from '../core/errors.js';
import type { SessionContext } from './session-context.js';

function checkGroup(context: SessionContext, groupId: string): void {
  if (!context.sessionGroups.has(groupId)) {
    throw new KeycardError('invalid_request', {
      message: 'group: not a group this server knows (KEYCARD_SESSION_GROUPS)',
      details: { field: 'group' },
    });
  }
}

/**
 * Seed 000's "group session": every token of every session in the group, issued before now, fails with
 * `claims_stale` at once, here and (by the feed or the poll) on every node: the devices of a fleet refresh and
 * get fresh claims. Returns the stamp's time.
 */
export async function revokeGroup(context: SessionContext, groupId: string): Promise<number> {
  checkGroup(context, groupId);
  return (await bumpStamp(context, 'group', groupId)).validAfter;
}

/** Puts a live session in a known group (or, with null, in none); false when no live session has that uuid. */
export async function setSessionGroup(
  context: SessionContext,
  sessionUuid: string,
  groupId: string | null,
): Promise<boolean> {
  if (groupId !== null) checkGroup(context, groupId);
  if (!(await context.store.setSessionGroup(sessionUuid, groupId, context.clock.now()))) return false;
  const entry = await context.store.findSessionAndUser(sessionUuid);
  if (entry !== undefined) await context.cache.rotated(entry);
  return true;
}
