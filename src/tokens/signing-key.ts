import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import {
  assertKeyFitsAlgorithm,
  type JwsAlgorithm,
  MIN_HS256_SECRET_BYTES,
  type VerificationKey,
} from '../verify/verification-key.js';

/** A key Keycard signs with (the private half, or the HS256 secret) and verifies with. */
export interface SigningKey extends VerificationKey {
  /** The private key, or the HS256 secret (then the same as `key`). */
  readonly signingKey: KeyObject;
  readonly createdAt: number;
  /** When a newer key took over signing; null while this one signs. It keeps verifying for a while after. */
  readonly retiredAt: number | null;
}

/** A new random key for `alg`: Ed25519, P-256, RSA 2048 or a 256-bit HS256 secret. */
export function generateSigningKey(alg: JwsAlgorithm, createdAt: number): SigningKey {
  const kid = randomBytes(12).toString('base64url');
  if (alg === 'HS256') {
    const secret = createSecretKey(randomBytes(MIN_HS256_SECRET_BYTES));
    return { kid, alg, key: secret, signingKey: secret, createdAt, retiredAt: null };
  }
  const { privateKey, publicKey } =
    alg === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, alg, key: publicKey, signingKey: privateKey, createdAt, retiredAt: null };
}

/** The secret material of a key, for storing encrypted: PKCS#8 DER, or the HS256 secret itself. */
export function exportPrivateKey(key: SigningKey): Buffer {
  return key.alg === 'HS256'
    ? key.signingKey.export()
    : key.signingKey.export({ format: 'der', type: 'pkcs8' });
}

/** The inverse of `exportPrivateKey`; checks the key fits `alg`. */
export function importSigningKey(
  fields: { kid: string; alg: JwsAlgorithm; createdAt: number; retiredAt: number | null },
  privateKey: Buffer,
): SigningKey {
  if (fields.alg === 'HS256') {
    const secret = createSecretKey(privateKey);
    assertKeyFitsAlgorithm('HS256', secret);
    return { ...fields, key: secret, signingKey: secret };
  }
  const signingKey = createPrivateKey({ key: privateKey, format: 'der', type: 'pkcs8' });
  const key = createPublicKey(signingKey);
  assertKeyFitsAlgorithm(fields.alg, key);
  return { ...fields, key, signingKey };
}

/** A published key: `kid`, `alg`, `use: "sig"` and the public parameters of its type. */
export interface PublicJwk {
  readonly kty: string;
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
  readonly n?: string;
  readonly e?: string;
  readonly kid: string;
  readonly alg: string;
  readonly use: 'sig';
}

/** The public JWK a JWKS publishes: built field by field, so nothing private can be copied over. */
export function publicJwkOf(key: VerificationKey): PublicJwk {
  if (key.alg === 'HS256' || key.key.type !== 'public') throw new TypeError('only public keys are published');
  const { kty, crv, x, y, n, e } = key.key.export({ format: 'jwk' });
  if (kty === undefined) throw new TypeError('a key without a type');
  return {
    kty,
    ...(crv === undefined ? {} : { crv }),
    ...(x === undefined ? {} : { x }),
    ...(y === undefined ? {} : { y }),
    ...(n === undefined ? {} : { n }),
    ...(e === undefined ? {} : { e }),
    kid: key.kid,
    alg: key.alg,
    use: 'sig',
  };
}

/** A stable `kid` for a key given in a file without one: a digest of its public half (or of the secret, keyed). */
export function keyIdOf(key: KeyObject): string {
  const material =
    key.type === 'secret'
      ? createHash('sha256').update('keycard kid v1').update(key.export()).digest()
      : createHash('sha256')
          .update(key.export({ format: 'der', type: 'spki' }))
          .digest();
  return material.subarray(0, 12).toString('base64url');
}
