import type { JwtClaims } from './jwt-claims.js';
import type { VerificationKey } from './verification-key.js';
import { checkClaimTimes, type JwtPolicy, verifyJwtAndKey } from './verify-jwt.js';

interface Verified {
  /** The whole token: a hit must be this very string. */
  readonly token: string;
  readonly claims: JwtClaims;
  readonly key: VerificationKey;
}

/**
 * `verifyJwt` under one policy, remembering the tokens it accepted. A client sends the same access token on every
 * request until it expires, and an Ed25519 signature check costs several times a whole bare HTTP request
 * (`npm run bench -- me-jwt`, README Performance): a token seen before is accepted from memory when it is the very
 * same string, the policy still gives the key that verified it (the same key material) for its `kid`, and its
 * times (`exp`, `nbf`, `iat`) still pass; only those are checked again. What the caller checks after verification (the
 * session, the stamps) it still checks on every request.
 *
 * A hit is the whole token, compared exactly: matching on a part of it (the signature alone) would let a forged
 * header or payload ride on a valid signature. The map is keyed by a number read off the signature's last
 * characters (`signatureKeyOf`), though, and the token compared after: a token arrives as a new string on each
 * request, and V8 hashes a string key by reading all of it. A hit cost ~0.45 µs keyed by the signature and
 * ~0.11 µs keyed by the number (`verify` on 1,000 EdDSA tokens of ~400 characters in turn, each a fresh string
 * as the HTTP parser gives them, beyond reading the header; the build, on one core); keyed by the whole token,
 * the lookup alone cost ~1 µs. Two tokens with the same number only take each other's place (the later one is
 * verified in full). Holding the tokens adds nothing an attacker who can read this process's memory would not
 * already have: the signing keys are there too.
 *
 * Bounded: at `capacity` entries the oldest is dropped (first in, first out; tokens live minutes, so age is what
 * matters). The claims handed out are frozen, as they are shared by every request with the same token.
 */
export class VerifiedJwtCache {
  readonly #policy: JwtPolicy;
  readonly #capacity: number;
  readonly #entries = new Map<number, Verified>();

  constructor(policy: JwtPolicy, capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new TypeError('capacity must be a positive integer');
    this.#policy = policy;
    this.#capacity = capacity;
  }

  /** How many tokens are remembered. */
  get size(): number {
    return this.#entries.size;
  }

  /** The claims of `token`, verified now or before; throws `TokenError` as `verifyJwt` does. */
  verify(token: string, nowMs: number): JwtClaims {
    const mapKey = signatureKeyOf(token);
    const known = this.#entries.get(mapKey);
    if (known?.token === token) {
      const key = this.#policy.keyFor(known.key.kid);
      if (key !== undefined && sameKey(key, known.key)) {
        try {
          checkClaimTimes(known.claims, this.#policy, nowMs);
        } catch (error) {
          this.#entries.delete(mapKey);
          throw error;
        }
        // A keyring reload makes new key objects of the same keys: keep the new one, so the next hit is quick.
        if (key !== known.key) this.#entries.set(mapKey, { token, claims: known.claims, key });
        return known.claims;
      }
      // The key is gone, or the kid names other key material now: verify again (and refuse if it fails).
      this.#entries.delete(mapKey);
    }
    const { claims, key } = verifyJwtAndKey(token, this.#policy, nowMs);
    // A token that only shares the key of one held (not the same token) replaces it once it verifies.
    this.#entries.delete(mapKey);
    if (this.#entries.size >= this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    const frozen = deepFreeze(claims);
    this.#entries.set(mapKey, { token, claims: frozen, key });
    return frozen;
  }
}

/**
 * The map's key for `token`: a number from the six characters before its last (which may carry only a few bits
 * of the signature), each random in a signature Keycard made. Below 2^30, so V8 keeps it as a small integer and
 * hashes it without reading the string again; any string gives some number (a hit still needs the very token).
 */
export function signatureKeyOf(token: string): number {
  const end = token.length - 1;
  let key = 0;
  for (let index = Math.max(0, end - 6); index < end; index += 1) {
    key = (Math.imul(key, 31) + token.charCodeAt(index)) | 0;
  }
  return key & 0x3fffffff;
}

/** Whether `a` and `b` are the same key: the same object, or the same algorithm and key material. */
function sameKey(a: VerificationKey, b: VerificationKey): boolean {
  return a === b || (a.alg === b.alg && a.key.equals(b.key));
}

/** `value` (parsed JSON), frozen with everything in it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
