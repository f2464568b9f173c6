import type { SessionOptions } from '../sessions/start-session.js';
import type { Session } from '../sessions/session.js';
import type { SessionTokens } from '../sessions/session-tokens.js';
import type { AccountContext } from './account-context.js';
import { prepareCaller } from '../access/prepare-caller.js';
import { NO_ACCESS } from '../access/access-store.js';
import { startUserSession } from './upgrade-anonymous-session.js';
import { normalizeEmail } from './email.js';
import { checkPasswordStrength } from './password-policy.js';
import { newUser } from './new-user.js';
import { type User, withoutPasswordHash } from './user.js';

export interface Credentials {
  readonly email: string;
  readonly password: string;
}

export interface SignedIn {
  readonly user: User;
  readonly session: Session;
  readonly tokens: SessionTokens;
}

/**
 * Creates an account (version 004) and its first session in one transaction. Throws `email_taken`. With
 * `options.fromAnonymous`, the session carries that anonymous session's id and the anonymous one ends, in the
 * same transaction (see `startUpgradedSession`).
 */
export async function register(
  context: AccountContext,
  credentials: Credentials,
  options: SessionOptions,
): Promise<SignedIn> {
  const email = normalizeEmail(credentials.email);
  checkPasswordStrength(credentials.password);
  await context.rateLimiter.beforeRegistration(context.request?.ip ?? null);
  const user = await newUser(context, email, credentials.password);
  // A new account holds no role or permission: known without asking the store.
  const claims =
    context.jwt.format === 'jwt' ? { access: NO_ACCESS, readAt: context.clock.now() } : undefined;
  const { session, tokens, stored } = await startUserSession(context, user, options, 'new', claims);
  if (!stored) await context.store.createUserWithSession(user, session);
  context.cache.remember({ session, user: withoutPasswordHash(user) });
  context.emit({ type: 'registered', userUuid: user.uuid, sessionUuid: session.uuid });
  // The first requests with these tokens can then be answered from memory (stamps are loaded once).
  context.access.set(user.uuid, NO_ACCESS, {
    validAfter: context.access.validAfterOf(user.uuid),
    loadedAt: context.clock.now(),
    epoch: context.access.epoch,
  });
  await prepareCaller(context, user.uuid);
  return { user, session, tokens };
}
