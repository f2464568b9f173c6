import { Buffer } from 'node:buffer';

/**
 * A session UUID as four 32-bit words, so the session ledger can key and store it in typed arrays.
 *
 * Only the canonical lower-case form is accepted (`8-4-4-4-12` hex digits), the form Keycard creates, stores and
 * accepts in tokens; anything else is "not a session UUID", never an error. Parsing reads `charCodeAt` into
 * caller-owned storage, so a lookup allocates nothing.
 */
export const UUID_WORDS = 4;

const UUID_LENGTH = 36;
const DASH = 45;
/** ASCII of each hex digit, and a scratch line the text of a UUID is written to before it becomes a string. */
const HEX_CODES = new TextEncoder().encode('0123456789abcdef');
const TEXT = Buffer.alloc(UUID_LENGTH, '-');

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  return -1;
}

/** Writes the four words of `text` at `into[offset..offset+3]`; false (nothing to trust in `into`) if not a UUID. */
export function parseUuidWords(text: string, into: Uint32Array, offset: number): boolean {
  if (text.length !== UUID_LENGTH) return false;
  if (
    text.charCodeAt(8) !== DASH ||
    text.charCodeAt(13) !== DASH ||
    text.charCodeAt(18) !== DASH ||
    text.charCodeAt(23) !== DASH
  ) {
    return false;
  }
  let word = 0;
  let digits = 0;
  let index = offset;
  for (let position = 0; position < UUID_LENGTH; position += 1) {
    if (position === 8 || position === 13 || position === 18 || position === 23) continue;
    const value = hexValue(text.charCodeAt(position));
    if (value < 0) return false;
    word = (word << 4) | value;
    digits += 1;
    if (digits === 8) {
      into[index] = word >>> 0;
      index += 1;
      word = 0;
      digits = 0;
    }
  }
  return true;
}

/** The canonical text of the UUID stored at `words[offset..offset+3]` (allocates: for building views only). */
export function formatUuidWords(words: Uint32Array, offset: number): string {
  let position = 0;
  for (let index = 0; index < UUID_WORDS; index += 1) {
    const word = words[offset + index] ?? 0;
    for (let shift = 28; shift >= 0; shift -= 4) {
      if (position === 8 || position === 13 || position === 18 || position === 23) position += 1;
      TEXT[position] = HEX_CODES[(word >>> shift) & 15] ?? 0;
      position += 1;
    }
  }
  return TEXT.toString('latin1', 0, UUID_LENGTH);
}
