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
function withoutAnonymousOrigin(options: SessionOptions): SessionOptions {
  const { fromAnonymous: _dropped, ...plain } = options;
  return plain;
}

/**
 * Starts `user`'s session for a registration (`account: 'new'`) or a sign-in: from the anonymous session the
 * request came with, when there is one and it is still live (then stored already, `stored: true`), or else a plain
 * session the caller stores (`stored: false`: with the new account, or on its own).
 */
export async function startUserSession(
  context: AccountContext,
  user: User,
  options: SessionOptions,
  account: 'new' | 'existing',
  claims: AccessClaims | undefined,
): Promise<{ session: Session; tokens: SessionTokens; stored: boolean }> {
  const upgraded =
    options.fromAnonymous === undefined
      ? undefined
      : await startUpgradedSession(context, user, options, options.fromAnonymous, account, claims);
  // Written out rather than spread with `stored` added: see NewSessionFields in start-session.ts.
  if (upgraded !== undefined) return { session: upgraded.session, tokens: upgraded.tokens, stored: true };
  const { session, tokens } = startSession(context, user, withoutAnonymousOrigin(options), claims);
  return { session, tokens, stored: false };
}
