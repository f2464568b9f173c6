import { KeycardError } from '../core/errors.js';
import { hashSecret, secretMatchesHash } from '../tokens/opaque-secret.js';
import { parseRefreshToken, type RefreshTokenParts } from '../tokens/session-token.js';
import {
  advanceRefreshSecret,
  type GenerationSecrets,
  MAX_CHAIN_WALK,
  nextGenerationSecrets,
} from './refresh-chain.js';
import type { Session, TokenRotation } from './session.js';
import type { SessionContext } from './session-context.js';
import { prepareCaller } from '../access/prepare-caller.js';
import { loadStamps } from '../claims/load-stamps.js';
import { readAccessClaims } from '../access/read-access-claims.js';
import { endSession } from './end-session.js';
import { endedSessionError } from './ended-session-error.js';
import { isSessionExpired } from './session-lifetimes.js';
import { type SessionTokens, sessionTokensFor } from './session-tokens.js';

/** A lost compare-and-set is retried this often; the retry sees the winner's rotation and answers from it. */
const MAX_ATTEMPTS = 3;

/**
 * Exchanges a refresh token for a new token pair, rotating both secrets and sliding the idle expiry.
 *
 * - The current token rotates (a compare-and-set, so of concurrent refreshes exactly one rotates).
 * - The token just replaced, presented again within the grace period, gets the same successor pair again: an
 *   idempotent retry for a lost response or two racing tabs.
 * - Any older genuine token of the chain, or the replaced one after the grace period, is reuse: a sign the token
 *   was stolen, so the session is revoked (`refresh_reuse`).
 * - Anything else is refused without touching the session, so a forged token cannot revoke it.
 *
 * Anonymous sessions refresh the same way, in their own lifetime class.
 */
export async function refreshSession(
  context: SessionContext,
  refreshToken: string,
): Promise<{ session: Session; tokens: SessionTokens }> {
  const presented = parseRefreshToken(refreshToken);
  await context.rateLimiter.beforeRefresh(presented?.sessionUuid ?? null, context.request?.ip ?? null);
  if (presented === undefined) throw new KeycardError('refresh_token_invalid');

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const readAt = context.clock.now(); // before the session is read: a JWT's claims are at least this fresh
    const found = await context.store.findSessionAndUser(presented.sessionUuid);
    if (found === undefined) {
      throw await endedSessionError(
        context,
        presented.sessionUuid,
        (revoked) => chainReaches(context, presented, revoked.refreshGeneration, revoked.refreshHash),
        new KeycardError('refresh_token_invalid'),
      );
    }
    const { session, user } = found;
    const now = context.clock.now();

    if (presented.generation === session.refreshGeneration) {
      if (!secretMatchesHash(presented.secret, session.refreshHash)) break;
      refuseDeniedApiVersion(context, session);
      if (isSessionExpired(context.lifetimes, session, now)) {
        await endSession(context, session, 'expired');
        throw new KeycardError('session_expired');
      }
      const next = nextGenerationSecrets(context.chainKey, presented.secret);
      const rotation = rotationTo(context, session, next, now);
      if (await context.store.rotateSessionTokens(session.uuid, session.refreshHash, rotation)) {
        const rotated: Session = { ...session, ...rotation };
        await context.cache.rotated({ session: rotated, user });
        context.emit({
          type: 'session_refreshed',
          userUuid: session.userUuid,
          sessionUuid: session.uuid,
          retry: false,
        });
        await context.rateLimiter.refreshed(session.uuid);
        const claims = await readAccessClaims(context, session.userUuid, readAt);
        if (session.userUuid === null) await loadStamps(context);
        else await prepareCaller(context, session.userUuid);
        return { session: rotated, tokens: sessionTokensFor(context, rotated, user, next, claims) };
      }
      continue; // another refresh won the race: read again and answer as its retry
    }

    if (
      presented.generation === session.refreshGeneration - 1 &&
      session.previousRefreshHash !== null &&
      secretMatchesHash(presented.secret, session.previousRefreshHash)
    ) {
      const withinGrace =
        session.rotatedAt !== null && now - session.rotatedAt <= context.refreshGraceSeconds * 1000;
      if (withinGrace && !isSessionExpired(context.lifetimes, session, now)) {
        refuseDeniedApiVersion(context, session);
        context.emit({
          type: 'session_refreshed',
          userUuid: session.userUuid,
          sessionUuid: session.uuid,
          retry: true,
        });
        // A grace retry hands back the pair already issued, so it spends none of the session's refresh budget.
        const claims = await readAccessClaims(context, session.userUuid, readAt);
        return {
          session,
          tokens: sessionTokensFor(
            context,
            session,
            user,
            nextGenerationSecrets(context.chainKey, presented.secret),
            claims,
          ),
        };
      }
      throw await revokeForReuse(context, session);
    }

    if (chainReaches(context, presented, session.refreshGeneration, session.refreshHash)) {
      throw await revokeForReuse(context, session);
    }
    break;
  }
  throw new KeycardError('refresh_token_invalid');
}

/** Only the holder of the session's current tokens learns that its API version is denied. */
function refuseDeniedApiVersion(context: SessionContext, session: Session): void {
  if (context.deniedApiVersions.has(session.apiVersion)) throw new KeycardError('api_version_denied');
}

function rotationTo(
  context: SessionContext,
  session: Session,
  next: GenerationSecrets,
  now: number,
): TokenRotation {
  return {
    accessHash: hashSecret(next.access),
    accessExpiresAt: Math.min(now + context.accessTtlSeconds * 1000, session.expiresAt),
    refreshHash: hashSecret(next.refresh),
    refreshGeneration: session.refreshGeneration + 1,
    previousRefreshHash: session.refreshHash,
    rotatedAt: now,
    updatedAt: now,
  };
}

/** Whether the presented token is a genuine member of the chain that leads to `hash` at `generation`. */
function chainReaches(
  context: SessionContext,
  presented: RefreshTokenParts,
  generation: number,
  hash: string,
): boolean {
  const steps = generation - presented.generation;
  if (steps < 0 || steps > MAX_CHAIN_WALK) return false;
  return secretMatchesHash(advanceRefreshSecret(context.chainKey, presented.secret, steps), hash);
}

async function revokeForReuse(context: SessionContext, session: Session): Promise<KeycardError> {
  await endSession(context, session, 'refresh_reuse');
  context.emit({ type: 'refresh_reuse_detected', userUuid: session.userUuid, sessionUuid: session.uuid });
  return new KeycardError('refresh_token_reused');
}
