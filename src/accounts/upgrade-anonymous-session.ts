import { KeycardError } from '../core/errors.js';
import type { Session } from '../sessions/session.js';
import type { SessionTokens } from '../sessions/session-tokens.js';
import type { AccessClaims } from '../sessions/jwt-access-tokens.js';
import { type AnonymousOrigin, type SessionOptions, startSession } from '../sessions/start-session.js';
import type { AccountContext } from './account-context.js';
import type { User } from './user.js';

/**
 * Starts `user`'s session from the anonymous session `origin` (a sign-in or registration that came with its
 * token): the new session carries its anonymous id, and in the same transaction the anonymous one ends (reason
 * `upgraded`): told to the caches, the other nodes and the revocation stream at once, so its tokens are refused
 * everywhere. With `account: 'new'` the user is created in that transaction too (a registration).
 *
 * Undefined when the anonymous session was no longer live (ended, or upgraded by a racing request): nothing was
 * written, and the caller starts a plain session. `invalid_credentials` when the user was disabled meanwhile.
 */
export async function startUpgradedSession(
  context: AccountContext,
  user: User,
  options: SessionOptions,
  origin: AnonymousOrigin,
  account: 'new' | 'existing',
  claims: AccessClaims | undefined,
): Promise<{ session: Session; tokens: SessionTokens } | undefined> {
  const started = startSession(context, user, { ...options, fromAnonymous: origin }, claims);
  const outcome = await context.store.createUpgradedSession(
    started.session,
    origin.sessionUuid,
    context.clock.now(),
    account === 'new' ? user : undefined,
  );
  if (outcome === 'anonymous_gone') return undefined;
  // Answered like a disabled account's sign-in, which it now is.
  if (outcome === 'refused') throw new KeycardError('invalid_credentials');
  await context.cache.ended([origin.sessionUuid], 'upgraded');
  context.emit({
    type: 'session_ended',
    userUuid: null,
    sessionUuid: origin.sessionUuid,
    reason: 'upgraded',
  });
  return started;
}

/** The options without an anonymous origin: for the plain session started when the upgrade could not be. */
export function withoutAnonymousOrigin(options: SessionOptions): SessionOptions {
  const { fromAnonymous: _dropped, ...plain } = options;
  return plain;
}
