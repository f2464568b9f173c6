import type { VerificationKey } from '../../src/verify/verification-key.js';
import type { JwtPolicy } from '../../src/verify/verify-jwt.js';

/** The moment the JWT unit tests run at, and the same in seconds (the unit of `exp`, `iat`, `nbf`). */
export const NOW = Date.UTC(2026, 0, 1);
export const nowSeconds = NOW / 1000;

/** The claims of a valid access token at `NOW` (user-1, session-1, audience `api`), with `overrides`. */
export function accessClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: 'https://auth.example',
    sub: 'user-1',
    aud: 'api',
    exp: nowSeconds + 900,
    iat: nowSeconds,
    nbf: nowSeconds,
    sid: 'session-1',
    kcp: 'access',
    ...overrides,
  };
}

/** The policy those claims pass, with keys found by `keyFor`. */
export function accessPolicy(keyFor: (kid: string) => VerificationKey | undefined): JwtPolicy {
  return {
    keyFor,
    typ: 'at+jwt',
    issuer: 'https://auth.example',
    audiences: ['api'],
    clockSkewSeconds: 30,
    purposes: ['access'],
  };
}
