/**
 * `keycard/verify`: verifies Keycard's JWTs in another service, with only Keycard's public keys, and follows
 * revocations and stamps through a feed. Imports nothing of Keycard's server.
 */
export { createVerifier, type Verifier, type VerifierOptions, type VerifyResult } from './create-verifier.js';
export { expressVerifier, fastifyVerifier, nodeHttpAuthenticator, bearerTokenOf } from './middleware.js';
export {
  requireElevated,
  requirePermission,
  requireRole,
  type ClaimsGuard,
  type GuardRefusal,
  type GuardRefusalCode,
} from './claims-guards.js';
export { JwksCache } from './jwks-cache.js';
export type { JwtClaims } from './jwt-claims.js';
export { ACCESS_TOKEN_TYPE } from './jwt-claims.js';
export type { RevocationFeed } from './revocation-feed.js';
export {
  parseRevocationMessage,
  type RevocationMessage,
  type Stamp,
  type StampScope,
} from './revocation-message.js';
export { createSseRevocationFeed } from './sse-revocation-feed.js';
export { createRedisRevocationFeed } from './redis-revocation-feed.js';
export { isTokenError, TokenError, type TokenErrorCode } from './token-error.js';
export { verifyJwt, type JwtPolicy } from './verify-jwt.js';
export { holdNextTickShapes } from './next-tick-shapes.js';
