import { KeycardError } from '../core/errors.js';
import type { SessionOptions } from '../sessions/start-session.js';
import { legacyPasswordHashOf, signLegacyJwt } from '../tokens/legacy-jwt.js';
import type { AccountContext } from './account-context.js';
import { prepareCaller } from '../access/prepare-caller.js';
import { readAccessClaims } from '../access/read-access-claims.js';
import { normalizeEmail } from './email.js';
import { isLegacyAccountVersion } from './legacy-accounts.js';
import type { Credentials, SignedIn } from './register.js';
import { upgradeAccount } from './upgrade-account.js';
import { startUserSession } from './upgrade-anonymous-session.js';
import { type User, withoutPasswordHash } from './user.js';

/** The sign-in of a legacy account (version 003): its JWT, and no session (seed 004). */
export interface LegacySignedIn {
  readonly user: User;
  readonly legacyToken: string;
}

/**
 * Checks an email and password and starts a new session (or, for a legacy account, returns its JWT). An unknown
 * email and a wrong password give the same `invalid_credentials` after the same work (a decoy hash is verified
 * for an unknown email), and count against the same rate limits (so does a disabled account, with the right
 * password): a locked-out email is refused with `rate_limited` before any password is checked, so a correct
 * password does not open it before the lockout ends.
 */
export async function signIn(
  context: AccountContext,
  credentials: Credentials,
  options: SessionOptions,
): Promise<SignedIn | LegacySignedIn> {
  // A group the server does not know is refused before the password is checked (nothing is counted).
  if (options.groupId != null && !context.sessionGroups.has(options.groupId)) {
    throw new KeycardError('invalid_request', {
      message: 'group: not a group this server knows',
      details: { field: 'group' },
    });
  }
  const readAt = context.clock.now(); // before the user is read: a JWT's claims are at least this fresh
  const user = await checkCredentials(context, credentials);
  if (isLegacyAccountVersion(user.version)) {
    const legacyToken = await signLegacyJwt(context.legacyJwtKey, {
      userUuid: user.uuid,
      pwHash: legacyPasswordHashOf(user.passwordHash),
    });
    context.emit({ type: 'signed_in', userUuid: user.uuid, sessionUuid: null });
    return { user, legacyToken };
  }
  return startSignedInSession(context, user, options, readAt);
}

/**
 * Moves a legacy account to sessions: checks the credentials like a sign-in, sets the account version to 004
 * (its legacy JWTs then get `session_required`) and starts its first session. An account that is already
 * current just signs in.
 */
export async function upgradeAndSignIn(
  context: AccountContext,
  credentials: Credentials,
  options: SessionOptions,
): Promise<SignedIn> {
  const readAt = context.clock.now();
  const user = await checkCredentials(context, credentials);
  return startSignedInSession(context, await upgradeAccount(context, user), options, readAt);
}

async function checkCredentials(context: AccountContext, credentials: Credentials): Promise<User> {
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
  return user;
}

async function startSignedInSession(
  context: AccountContext,
  user: User,
  options: SessionOptions,
  readAt: number,
): Promise<SignedIn> {
  const claims = await readAccessClaims(context, user.uuid, readAt);
  const { session, tokens, stored } = await startUserSession(context, user, options, 'existing', claims);
  // Refused when the account was disabled (or deleted) while its password was being checked: answered like a
  // disabled account's sign-in, which it now is.
  if (!stored && !(await context.store.createSession(session))) {
    throw new KeycardError('invalid_credentials');
  }
  context.cache.remember({ session, user: withoutPasswordHash(user) });
  context.emit({ type: 'signed_in', userUuid: user.uuid, sessionUuid: session.uuid });
  // The first requests with these tokens can then be answered from memory (stamps are loaded once).
  await prepareCaller(context, user.uuid);
  return { user, session, tokens };
}
