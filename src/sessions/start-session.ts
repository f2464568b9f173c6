import { randomUUID } from 'node:crypto';
import type { User } from '../accounts/user.js';
import { generateSecret, hashSecret } from '../tokens/opaque-secret.js';
import { generationSecrets } from './refresh-chain.js';
import type { Session } from './session.js';
import type { SessionContext } from './session-context.js';
import { lifetimeClassOf } from './session-lifetimes.js';
import { type SessionTokens, sessionTokensFor } from './session-tokens.js';
import type { AccessClaims } from './jwt-access-tokens.js';
import { NO_ACCESS } from '../access/access-store.js';

/** The anonymous session a sign-in or registration came with (its token), whose id the new session carries. */
export interface AnonymousOrigin {
  readonly sessionUuid: string;
  readonly anonymousId: string;
}

export interface SessionOptions {
  readonly apiVersion: string;
  readonly userAgent: string | null;
  readonly remember: boolean;
  /** A group the server knows (checked by the caller). */
  readonly groupId?: string | null;
  /**
   * The anonymous session to upgrade: the new session carries its anonymous id, and it ends (reason
   * `upgraded`) when the new one is stored. Found by `findAnonymousOrigin` from the token the request came with.
   */
  readonly fromAnonymous?: AnonymousOrigin;
}

/** What an anonymous session records: it has no lifetime choice (its class is its own) and no group. */
export type AnonymousSessionOptions = Pick<SessionOptions, 'apiVersion' | 'userAgent'>;

/**
 * Builds a new session and its first tokens for `user` (a JWT access token carrying `claims`). Nothing is stored
 * here: registration stores it with the new account in one transaction, sign-in on its own. Sessions are only
 * ever created by those two.
 */
export function startSession(
  context: SessionContext,
  user: User,
  options: SessionOptions,
  claims: AccessClaims | undefined,
): { session: Session; tokens: SessionTokens } {
  return newSession(
    context,
    user,
    { ...options, anonymousId: options.fromAnonymous?.anonymousId ?? null },
    claims,
  );
}

/**
 * Builds a new anonymous session (no user) and its first tokens, with a new anonymous id; not stored here. Its
 * lifetime is the anonymous class's, and it records `remember: false` (it was not chosen).
 */
export function startAnonymousSession(
  context: SessionContext,
  options: AnonymousSessionOptions,
): { session: Session; tokens: SessionTokens } {
  // No user: no roles, no permissions (a JWT says so by leaving them out).
  const claims =
    context.jwt.format === 'jwt' ? { access: NO_ACCESS, readAt: context.clock.now() } : undefined;
  return newSession(context, null, { ...options, remember: false, anonymousId: randomUUID() }, claims);
}

function newSession(
  context: SessionContext,
  user: User | null,
  options: Omit<SessionOptions, 'fromAnonymous'> & { anonymousId: string | null },
  claims: AccessClaims | undefined,
): { session: Session; tokens: SessionTokens } {
  const now = context.clock.now();
  const secrets = generationSecrets(context.chainKey, generateSecret());
  const userUuid = user === null ? null : user.uuid;
  const lifetime = lifetimeClassOf(context.lifetimes, { userUuid, remember: options.remember });
  const expiresAt = now + lifetime.absoluteSeconds * 1000;
  const session: Session = {
    uuid: randomUUID(),
    userUuid,
    anonymousId: options.anonymousId,
    apiVersion: options.apiVersion,
    userAgent: options.userAgent,
    createdAt: now,
    updatedAt: now,
    remember: options.remember,
    expiresAt,
    accessHash: hashSecret(secrets.access),
    accessExpiresAt: Math.min(now + context.accessTtlSeconds * 1000, expiresAt),
    refreshHash: hashSecret(secrets.refresh),
    refreshGeneration: 0,
    previousRefreshHash: null,
    rotatedAt: null,
    groupId: options.groupId ?? null,
    elevatedUntil: null,
  };
  return { session, tokens: sessionTokensFor(context, session, user, secrets, claims) };
}
