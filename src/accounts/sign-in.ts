import { KeycardError } from '../core/errors.js';
import { startSession, type SessionOptions } from '../sessions/start-session.js';
import type { AccountContext } from './account-context.js';
import { loadStamps } from '../claims/load-stamps.js';
import { normalizeEmail } from './email.js';
import type { Credentials, SignedIn } from './register.js';
import { withoutPasswordHash } from './user.js';

/**
 * Checks an email and password and starts a new session. An unknown email and a wrong password give the same
 * `invalid_credentials` after the same work (a decoy hash is verified for an unknown email), and count against
 * the same rate limits (so does a disabled account, with the right password): a locked-out email is refused with `rate_limited` before any password is checked, so a
 * correct password does not open it before the lockout ends.
 */
export async function signIn(
  context: AccountContext,
  credentials: Credentials,
  options: SessionOptions,
): Promise<SignedIn> {
  const email = normalizeEmail(credentials.email);
  await context.rateLimiter.beforeSignIn(email, context.request?.ip ?? null);
  const user = await context.store.findUserByEmail(email);
  const passwordHash = user?.passwordHash ?? (await context.decoyPasswordHash());
  const passwordMatches = await context.passwordHasher.verify(passwordHash, credentials.password);
  // A disabled account answers exactly like a wrong password, so whether an account exists (or is disabled)
  // cannot be learnt by signing in.
  if (user === undefined || !passwordMatches || user.disabledAt !== null) {
    context.emit({ type: 'sign_in_failed', userUuid: user?.uuid ?? null });
    await context.rateLimiter.signInFailed(email);
    throw new KeycardError('invalid_credentials');
  }
  await context.rateLimiter.signInSucceeded(email);

  const { session, tokens } = startSession(context, user, options);
  await context.store.createSession(session);
  context.cache.remember({ session, user: withoutPasswordHash(user) });
  context.emit({ type: 'signed_in', userUuid: user.uuid, sessionUuid: session.uuid });
  // The first requests with these tokens can then be answered from memory (stamps are loaded once).
  await loadStamps(context);
  return { user, session, tokens };
}
