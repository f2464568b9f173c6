import type { SessionContext } from '../sessions/session-context.js';
import type { ClaimsStamp, StampScope } from './claims-stamp.js';

/**
 * Moves a stamp to now: every token it applies to that was issued before is refused with `claims_stale` from
 * this moment on this node, on the others as soon as the feed (or, without Redis, the change poll) tells them.
 * Stored first, so a node that loads or polls the stamps after this sees it.
 */
export async function bumpStamp(
  context: SessionContext,
  scope: StampScope,
  subject: string,
): Promise<ClaimsStamp> {
  const stamp: ClaimsStamp = {
    scope,
    subject: scope === 'global' ? '' : subject,
    validAfter: context.clock.now(),
  };
  await context.store.bumpStamp(stamp);
  context.stamps.apply(stamp, true);
  await context.cache.stampBumped(stamp);
  return stamp;
}

/** Bumps the stamps of several users (a role's holders when the role changes), one after the other. */
export async function bumpUserStamps(context: SessionContext, userUuids: Iterable<string>): Promise<void> {
  for (const userUuid of new Set(userUuids)) await bumpStamp(context, 'user', userUuid);
}
