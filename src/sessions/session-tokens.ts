import type { SessionUser } from '../accounts/user.js';
import { formatAccessToken, formatRefreshToken } from '../tokens/session-token.js';
import { type AccessClaims, issueJwtAccessToken } from './jwt-access-tokens.js';
import type { GenerationSecrets } from './refresh-chain.js';
import type { Session } from './session.js';
import type { SessionContext } from './session-context.js';
import { sessionEndsAt } from './session-lifetimes.js';

/** The token pair handed to a client. Shown once; the server keeps only hashes. */
export interface SessionTokens {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  readonly refreshToken: string;
  /** Seconds until the session ends if it is not used (idle expiry capped by the absolute one). */
  readonly refreshExpiresIn: number;
}

/**
 * Formats the tokens of `session` from the secrets of its current generation. The access token is opaque,
 * or with `KEYCARD_ACCESS_TOKEN_FORMAT=jwt` a JWT expiring at the same time, carrying `claims` (which a JWT
 * needs: `readAccessClaims`); the refresh token is always opaque.
 */
export function sessionTokensFor(
  context: SessionContext,
  session: Session,
  /** Null for an anonymous session. */
  user: SessionUser | null,
  secrets: GenerationSecrets,
  claims: AccessClaims | undefined,
): SessionTokens {
  const now = context.clock.now();
  return {
    accessToken:
      context.jwt.format === 'jwt'
        ? issueJwtAccessToken(context.jwt, session, user, claimsOf(claims))
        : formatAccessToken(session.uuid, secrets.access),
    tokenType: 'Bearer',
    expiresIn: Math.max(0, Math.floor((session.accessExpiresAt - now) / 1000)),
    refreshToken: formatRefreshToken(session.uuid, session.refreshGeneration, secrets.refresh),
    refreshExpiresIn: Math.max(0, Math.floor((sessionEndsAt(context.lifetimes, session) - now) / 1000)),
  };
}

function claimsOf(claims: AccessClaims | undefined): AccessClaims {
  if (claims === undefined) throw new TypeError('a JWT access token needs its claims (readAccessClaims)');
  return claims;
}
