/**
 * The stored form of an access-token hash is SHA-256 in base64url (43 characters, see `hashSecret`); the session
 * ledger keeps its 32 bytes instead, and compares a presented hash against them without allocating.
 */
export const ACCESS_HASH_BYTES = 32;
const ACCESS_HASH_LENGTH = 43;
/** Decoded value of each ASCII code; 64 marks a character outside the base64url alphabet. */
const SEXTETS = new Uint8Array(128).fill(64);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
for (let index = 0; index < ALPHABET.length; index += 1) SEXTETS[ALPHABET.charCodeAt(index)] = index;

function sextetOf(code: number): number {
  return code < 128 ? (SEXTETS[code] ?? 64) : 64;
}

/** Decodes a stored-form hash into `into[offset..offset+31]`; false if it is not one (then `into` is garbage). */
export function decodeAccessHash(text: string, into: Uint8Array, offset: number): boolean {
  if (text.length !== ACCESS_HASH_LENGTH) return false;
  let bits = 0;
  let pending = 0;
  let written = offset;
  for (let index = 0; index < ACCESS_HASH_LENGTH; index += 1) {
    const sextet = sextetOf(text.charCodeAt(index));
    if (sextet === 64) return false;
    pending = (pending << 6) | sextet;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      into[written] = (pending >>> bits) & 255;
      written += 1;
      pending &= (1 << bits) - 1;
    }
  }
  return pending === 0; // the two bits left over are zero in canonical base64url
}

/**
 * Whether `text` is the base64url form of the 32 bytes at `stored[offset..]`, in constant time: every character
 * is decoded and compared whatever the earlier ones were, and the differences are OR-ed into one word that is
 * tested once at the end. The branches depend only on positions and on the length, which is public.
 */
export function accessHashEquals(text: string, stored: Uint8Array, offset: number): boolean {
  if (text.length !== ACCESS_HASH_LENGTH) return false;
  let difference = 0;
  let bits = 0;
  let pending = 0;
  let read = offset;
  for (let index = 0; index < ACCESS_HASH_LENGTH; index += 1) {
    const sextet = sextetOf(text.charCodeAt(index));
    difference |= sextet & 64;
    pending = (pending << 6) | (sextet & 63);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      difference |= ((pending >>> bits) & 255) ^ (stored[read] ?? 0);
      read += 1;
      pending &= (1 << bits) - 1;
    }
  }
  return (difference | pending) === 0;
}
