import { createPublicKey, createSecretKey, type JsonWebKey, type KeyObject } from 'node:crypto';

/** The JWS algorithms Keycard signs with; every key is bound to exactly one of them. */
export const JWS_ALGORITHMS = ['EdDSA', 'ES256', 'RS256', 'HS256'] as const;
export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number];

export function isJwsAlgorithm(value: unknown): value is JwsAlgorithm {
  return typeof value === 'string' && (JWS_ALGORITHMS as readonly string[]).includes(value);
}

/** A key that verifies signatures of one algorithm only: a token's `alg` must be this `alg`. */
export interface VerificationKey {
  readonly kid: string;
  readonly alg: JwsAlgorithm;
  /** A public key for the asymmetric algorithms, a secret key for HS256. */
  readonly key: KeyObject;
}

/** The smallest RSA modulus accepted (bits). */
const MIN_RSA_BITS = 2048;
/** The shortest HS256 secret accepted (bytes): as long as the hash, RFC 7518 section 3.2. */
export const MIN_HS256_SECRET_BYTES = 32;

/**
 * Checks that `key` is of the kind `alg` needs (an Ed25519 key for EdDSA, P-256 for ES256, RSA of 2048 bits or
 * more for RS256, a secret of 32 bytes or more for HS256); throws a `TypeError` naming what is wrong.
 */
export function assertKeyFitsAlgorithm(alg: JwsAlgorithm, key: KeyObject): void {
  const fits =
    alg === 'HS256'
      ? key.type === 'secret' && (key.symmetricKeySize ?? 0) >= MIN_HS256_SECRET_BYTES
      : key.type !== 'secret' &&
        (alg === 'EdDSA'
          ? key.asymmetricKeyType === 'ed25519'
          : alg === 'ES256'
            ? key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
            : key.asymmetricKeyType === 'rsa' &&
              (key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS);
  if (!fits) {
    throw new TypeError(
      alg === 'HS256'
        ? `an HS256 key must be a secret of at least ${MIN_HS256_SECRET_BYTES} bytes`
        : `the key does not fit ${alg} (EdDSA: Ed25519; ES256: P-256; RS256: RSA of ${MIN_RSA_BITS} bits or more)`,
    );
  }
}

/**
 * A verification key from a published JWK (a JWKS entry): its `alg` must be one Keycard signs with and fit the
 * key. Symmetric JWKs are refused: a JWKS is public and never carries them.
 */
export function verificationKeyFromJwk(value: object): VerificationKey {
  const jwk = value as JsonWebKey & { kid?: unknown; alg?: unknown };
  if (typeof jwk.kid !== 'string' || jwk.kid === '') throw new TypeError('a JWK without a kid');
  if (!isJwsAlgorithm(jwk.alg) || jwk.alg === 'HS256') throw new TypeError(`JWK ${jwk.kid}: no usable alg`);
  if (jwk.kty === 'oct' || 'd' in jwk) throw new TypeError(`JWK ${jwk.kid}: not a public key`);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  assertKeyFitsAlgorithm(jwk.alg, key);
  return { kid: jwk.kid, alg: jwk.alg, key };
}

/** An HS256 verification key from its secret. */
export function hs256Key(kid: string, secret: Uint8Array): VerificationKey {
  const key = createSecretKey(secret);
  assertKeyFitsAlgorithm('HS256', key);
  return { kid, alg: 'HS256', key };
}
