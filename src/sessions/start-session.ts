import { randomUUID } from 'node:crypto';
import type { User } from '../accounts/user.js';
import { generateSecret, hashSecret } from '../tokens/opaque-secret.js';
import { accessSecretFor } from './refresh-chain.js';
import type { Session } from './session.js';
import type { SessionContext } from './session-context.js';
import { lifetimeClassOf } from './session-lifetimes.js';
import { type SessionTokens, sessionTokensFor } from './session-tokens.js';
import type { AccessClaims } from './jwt-access-tokens.js';

export interface SessionOptions {
  readonly apiVersion: string;
  readonly userAgent: string | null;
  readonly remember: boolean;
  /** A group the server knows (checked by the caller). */
  readonly groupId?: string | null;
}

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
  const now = context.clock.now();
  const refreshSecret = generateSecret();
  const expiresAt = now + lifetimeClassOf(context.lifetimes, options.remember).absoluteSeconds * 1000;
  const session: Session = {
    uuid: randomUUID(),
    userUuid: user.uuid,
    apiVersion: options.apiVersion,
    userAgent: options.userAgent,
    createdAt: now,
    updatedAt: now,
    remember: options.remember,
    expiresAt,
    accessHash: hashSecret(accessSecretFor(context.chainKey, refreshSecret)),
    accessExpiresAt: Math.min(now + context.accessTtlSeconds * 1000, expiresAt),
    refreshHash: hashSecret(refreshSecret),
    refreshGeneration: 0,
    previousRefreshHash: null,
    rotatedAt: null,
    groupId: options.groupId ?? null,
    elevatedUntil: null,
  };
  return { session, tokens: sessionTokensFor(context, session, user, refreshSecret, claims) };
}
