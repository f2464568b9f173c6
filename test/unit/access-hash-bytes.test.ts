import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ACCESS_HASH_BYTES,
  accessHashEquals,
  decodeAccessHash,
} from '../../src/sessions/access-hash-bytes.js';

/** What `accessHashEquals` must answer, the slow and obvious way: canonical base64url of exactly these bytes. */
function reference(text: string, bytes: Uint8Array): boolean {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return false;
  return Buffer.from(bytes).toString('base64url') === text;
}

const hashOf = (secret: Buffer) => createHash('sha256').update(secret).digest();

describe('access hash bytes', () => {
  it('matches the stored form of each hash against its own bytes only', () => {
    const stored = new Uint8Array(ACCESS_HASH_BYTES * 50);
    const texts = Array.from({ length: 50 }, (_, index) => {
      const bytes = hashOf(randomBytes(32));
      const text = bytes.toString('base64url');
      expect(decodeAccessHash(text, stored, index * ACCESS_HASH_BYTES)).toBe(true);
      return text;
    });
    texts.forEach((text, index) => {
      expect(accessHashEquals(text, stored, index * ACCESS_HASH_BYTES)).toBe(true);
      expect(accessHashEquals(text, stored, ((index + 1) % 50) * ACCESS_HASH_BYTES)).toBe(false);
    });
  });

  it('answers as the reference for every character of a hash replaced, including look-alikes above 127', () => {
    const bytes = hashOf(randomBytes(32));
    const stored = new Uint8Array(bytes);
    const text = bytes.toString('base64url');
    // Characters of the alphabet, characters outside it, and characters above 127 whose low seven bits are those
    // of an alphabet character ('Á' is 0xc1, low bits 'A'; 'ð' is 0xf0, low bits 'p'; 'ĭ' is 0x12d, low bits '-').
    const replacements = [
      'A',
      'Q',
      'g',
      'w',
      '0',
      '-',
      '_',
      '+',
      '/',
      '=',
      '.',
      ' ',
      '\u00c1',
      '\u00f0',
      '\u012d',
    ];
    let refused = 0;
    for (let position = 0; position < text.length; position += 1) {
      for (const replacement of replacements) {
        const changed = text.slice(0, position) + replacement + text.slice(position + 1);
        const expected = reference(changed, bytes);
        expect(accessHashEquals(changed, stored, 0), `${position} ${JSON.stringify(replacement)}`).toBe(
          expected,
        );
        // Decoding takes the same text exactly when it is the canonical form of some 32 bytes.
        const decoded = new Uint8Array(ACCESS_HASH_BYTES);
        expect(decodeAccessHash(changed, decoded, 0)).toBe(
          /^[A-Za-z0-9_-]{43}$/.test(changed) &&
            Buffer.from(changed, 'base64url').toString('base64url') === changed,
        );
        if (!expected) refused += 1;
      }
    }
    // Every replacement but the character already there is refused.
    expect(refused).toBeGreaterThanOrEqual(text.length * (replacements.length - 1));
  });

  it('refuses a last character whose two spare bits are set, and any other length', () => {
    const bytes = hashOf(randomBytes(32));
    const stored = new Uint8Array(bytes);
    const text = bytes.toString('base64url');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(text.at(-1) ?? '');
    for (let spare = 1; spare < 4; spare += 1) {
      const changed = text.slice(0, -1) + (alphabet[(last & ~3) | spare] ?? '');
      expect(accessHashEquals(changed, stored, 0)).toBe(false);
    }
    for (const changed of [text.slice(1), `${text}A`, `${text}=`, '']) {
      expect(accessHashEquals(changed, stored, 0)).toBe(false);
    }
  });
});
