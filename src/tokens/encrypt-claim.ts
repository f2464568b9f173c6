import { createCipheriv, randomBytes } from 'node:crypto';

/** The bytes of a claims key: 256 bits for A256GCM. */
export const CLAIMS_KEY_BYTES = 32;

const PROTECTED_HEADER = Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM', cty: 'json' })).toString(
  'base64url',
);

/**
 * A claim value only services may read: a compact JWE (RFC 7516) with `alg: dir` and `enc: A256GCM` under the key
 * shared with them, the JSON of the value as plaintext. Any JOSE library decrypts it (jose's `compactDecrypt`).
 * Written with node:crypto rather than jose's async `CompactEncrypt` because tokens are signed synchronously.
 */
export function encryptClaim(key: Uint8Array, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  // The protected header, as encoded, is the additional authenticated data (RFC 7516 section 5.1, step 14).
  cipher.setAAD(Buffer.from(PROTECTED_HEADER, 'ascii'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return [
    PROTECTED_HEADER,
    '',
    iv.toString('base64url'),
    ciphertext.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
  ].join('.');
}
