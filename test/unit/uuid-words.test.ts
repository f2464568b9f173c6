import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatUuidWords, parseUuidWords, UUID_WORDS } from '../../src/sessions/uuid-words.js';

/** The four words of a canonical UUID, read the slow and obvious way, to check the fast one against. */
function wordsOf(uuid: string): number[] {
  const hex = uuid.replace(/-/g, '');
  return [0, 1, 2, 3].map((index) => Number.parseInt(hex.slice(index * 8, index * 8 + 8), 16));
}

const DIGIT_POSITIONS = [...Array(36).keys()].filter((position) => ![8, 13, 18, 23].includes(position));

describe('UUID words', () => {
  it('reads every canonical UUID into the same four words as parseInt does, and writes it back', () => {
    const into = new Uint32Array(UUID_WORDS * 2);
    const uuids = [
      ...Array.from({ length: 200 }, () => randomUUID()),
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      '01234567-89ab-cdef-0123-456789abcdef',
    ];
    for (const uuid of uuids) {
      expect(parseUuidWords(uuid, into, UUID_WORDS)).toBe(true);
      expect([...into.subarray(UUID_WORDS)]).toEqual(wordsOf(uuid));
      expect(formatUuidWords(into, UUID_WORDS)).toBe(uuid);
    }
  });

  it('refuses any one digit replaced by a character that is not a lower-case hex digit', () => {
    const uuid = '01234567-89ab-cdef-0123-456789abcdef';
    const into = new Uint32Array(UUID_WORDS);
    // Upper case, the letters next to the hex range, a dash, and characters above 127 whose low seven bits are
    // those of a hex digit ('°' is 0xb0, whose low bits are '0'; 'š' is 0x161, low bits 'a'; 'ä' is 0xe4,
    // low bits 'd'), which a table indexed by `code & 127` alone would take for digits.
    const replacements = [
      'A',
      'F',
      'G',
      'g',
      '/',
      ':',
      '`',
      '-',
      ' ',
      '\u00b0',
      '\u0161',
      '\u00e4',
      '\u0130',
    ];
    for (const position of DIGIT_POSITIONS) {
      for (const replacement of replacements) {
        const text = uuid.slice(0, position) + replacement + uuid.slice(position + 1);
        expect(parseUuidWords(text, into, 0), JSON.stringify(text)).toBe(false);
      }
    }
  });

  it('refuses a wrong length or a dash out of place', () => {
    const uuid = randomUUID();
    const into = new Uint32Array(UUID_WORDS);
    for (const text of ['', uuid.slice(1), `${uuid}0`, uuid.replace(/-/g, ''), `0${uuid.slice(0, 35)}`]) {
      expect(parseUuidWords(text, into, 0)).toBe(false);
    }
    for (const dash of [8, 13, 18, 23]) {
      expect(parseUuidWords(`${uuid.slice(0, dash)}0${uuid.slice(dash + 1)}`, into, 0)).toBe(false);
    }
  });
});
