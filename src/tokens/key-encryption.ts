import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The key that encrypts signing keys at rest, derived from the server secret (HKDF-SHA256). */
export function deriveKeyEncryptionKey(secret: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, new Uint8Array(), 'keycard signing keys v1', 32));
}

/**
 * Encrypts a private key for the store with AES-256-GCM. The `kid` is authenticated data, so a sealed key cannot
 * be moved to another row. Output: base64url of iv ‖ ciphertext ‖ tag.
 */
export function sealPrivateKey(encryptionKey: Buffer, kid: string, privateKey: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv);
  cipher.setAAD(Buffer.from(kid, 'utf8'));
  const body = Buffer.concat([cipher.update(privateKey), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** Decrypts what `sealPrivateKey` sealed; throws when the secret is not the one it was sealed under. */
export function openPrivateKey(encryptionKey: Buffer, kid: string, sealed: string): Buffer {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error(`signing key ${kid}: sealed key is truncated`);
  const decipher = createDecipheriv('aes-256-gcm', encryptionKey, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(kid, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch (error) {
    throw new Error(`signing key ${kid} cannot be decrypted: was KEYCARD_SECRET changed?`, { cause: error });
  }
}
