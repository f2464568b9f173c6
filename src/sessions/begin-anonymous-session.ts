import { loadStamps } from '../claims/load-stamps.js';
import type { Session } from './session.js';
import type { SessionContext } from './session-context.js';
import type { SessionTokens } from './session-tokens.js';
import { type AnonymousSessionOptions, startAnonymousSession } from './start-session.js';

/**
 * `POST /auth/anonymous`: starts a session with no user and a new anonymous id, with tokens like any session's
 * (refreshed the same way, in the anonymous lifetime class). It asks for nothing, so it is limited per client
 * address before anything is written: each one is a row in the store until it ends.
 */
export async function beginAnonymousSession(
  context: SessionContext,
  options: AnonymousSessionOptions,
): Promise<{ session: Session; tokens: SessionTokens }> {
  await context.rateLimiter.beforeAnonymousSession(context.request?.ip ?? null);
  const started = startAnonymousSession(context, options);
  await context.store.createAnonymousSession(started.session);
  context.cache.remember({ session: started.session, user: null });
  context.emit({ type: 'anonymous_session_started', sessionUuid: started.session.uuid });
  // The first requests with these tokens can then be answered from memory (stamps are loaded once).
  await loadStamps(context);
  return started;
}
