import type { SessionUser } from '../accounts/user.js';
import { type ClaimDefinition, hasClaimType } from '../core/claims-registry.js';
import { encryptClaim } from '../tokens/encrypt-claim.js';

/**
 * Claim values the embedding app supplies for a user and an audience (`createKeycard`'s `claimsFor`). Synchronous:
 * tokens are signed on the request path; keep what it needs at hand. Only registered names are used.
 */
export type ClaimsHook = (subject: {
  readonly user: SessionUser;
  readonly audience: string;
}) => Readonly<Record<string, unknown>>;

export interface CustomClaims {
  readonly registry: readonly ClaimDefinition[];
  /** The key shared with services, for claims only they may read. */
  readonly key?: Uint8Array;
  readonly hook?: ClaimsHook;
}

/** What the user record offers as claim values, by name. */
function userRecordValues(user: SessionUser): Record<string, unknown> {
  return { email: user.email, account_version: user.version, created_at: Math.floor(user.createdAt / 1000) };
}

/**
 * The custom claims of a token for `audiences`: every registered claim declared for one of them, its value from
 * the hook or the user record (nothing a client sent), of its declared type (else left out), encrypted when only
 * services may read it.
 */
export function customClaimsFor(
  claims: CustomClaims,
  user: SessionUser,
  audiences: readonly string[],
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const declared = claims.registry.filter((claim) =>
    claim.audiences.some((audience) => audiences.includes(audience)),
  );
  if (declared.length === 0) return result;
  const fromHook = claims.hook?.({ user, audience: audiences[0] ?? '' }) ?? {};
  const fromUser = userRecordValues(user);
  for (const claim of declared) {
    const value = Object.hasOwn(fromHook, claim.name) ? fromHook[claim.name] : fromUser[claim.name];
    if (value === undefined || !hasClaimType(value, claim.type)) continue;
    if (claim.readers === 'clients') result[claim.name] = value;
    else if (claims.key !== undefined) result[claim.name] = encryptClaim(claims.key, value);
  }
  return result;
}
