import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { assertKeyFitsAlgorithm, type JwsAlgorithm } from '../verify/verification-key.js';
import { keyIdOf, type SigningKey } from './signing-key.js';

/**
 * The signing key in `path` (`KEYCARD_JWT_KEY_FILE`): a PEM private key (PKCS#8, SEC1 or PKCS#1), a private JWK,
 * or for HS256 an `oct` JWK or the secret itself (the file's bytes, without a final newline). Its `kid` is the
 * JWK's, else a digest of the key. Throws a `TypeError` saying what is wrong (an HS256 secret under 32 bytes too).
 */
export function readSigningKeyFile(path: string, alg: JwsAlgorithm): SigningKey {
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (error) {
    throw new TypeError(`cannot read ${path}`, { cause: error });
  }
  const asText = text.toString('utf8').trim();
  let jwk: (JsonWebKey & { kid?: unknown }) | undefined;
  if (asText.startsWith('{')) {
    try {
      jwk = JSON.parse(asText) as JsonWebKey & { kid?: unknown };
    } catch (error) {
      throw new TypeError(`${path} is not valid JSON`, { cause: error });
    }
  }
  let signingKey: KeyObject;
  if (alg === 'HS256') {
    signingKey =
      jwk === undefined
        ? createSecretKey(text.subarray(0, text.at(-1) === 0x0a ? -1 : undefined))
        : createSecretKey(Buffer.from(jwk.k ?? '', 'base64url'));
  } else {
    try {
      signingKey =
        jwk === undefined ? createPrivateKey(asText) : createPrivateKey({ key: jwk, format: 'jwk' });
    } catch (error) {
      throw new TypeError(`${path} holds no private key`, { cause: error });
    }
  }
  const key = alg === 'HS256' ? signingKey : createPublicKey(signingKey);
  assertKeyFitsAlgorithm(alg, key);
  const kid = typeof jwk?.kid === 'string' && jwk.kid !== '' ? jwk.kid : keyIdOf(key);
  return { kid, alg, key, signingKey, createdAt: 0, retiredAt: null };
}
