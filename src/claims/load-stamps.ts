import type { SessionContext } from '../sessions/session-context.js';

/** Stamps read at once; beyond this many recent bumps the load pages on. */
const PAGE = 5000;

/**
 * Loads every stamp that can still refuse a token (those within the horizon) into memory, once per Keycard:
 * until then no token is accepted from memory alone. Concurrent callers share one load. Stamps bumped after the
 * load began reach memory through the feed, the poll, or this node's own bumps (`apply` keeps the newest).
 */
export function loadStamps(context: SessionContext): Promise<void> {
  return context.stamps.loadOnce(async () => {
    let since = context.clock.now() - context.stampHorizonMs;
    for (;;) {
      const page = await context.store.listStampsSince(since, PAGE);
      for (const stamp of page) context.stamps.apply(stamp);
      const last = page.at(-1);
      if (page.length < PAGE || last === undefined || last.validAfter === since) break;
      since = last.validAfter;
    }
  });
}
