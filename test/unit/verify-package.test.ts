import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const folder = new URL('../../src/verify/', import.meta.url).pathname;
const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, string>;
};

describe('keycard/verify', () => {
  it('is a package export', () => {
    expect(packageJson.exports['./verify']).toBe('./dist/verify/index.js');
  });

  it.each(readdirSync(folder).filter((file) => file.endsWith('.ts')))(
    '%s imports nothing of Keycard’s server: only its own folder, node:* and ioredis',
    (file) => {
      const source = readFileSync(join(folder, file), 'utf8');
      const specifiers = [...source.matchAll(/(?:from|import\()\s*'([^']+)'/g)].map(
        (match) => match[1] ?? '',
      );
      for (const specifier of specifiers) {
        expect(
          specifier.startsWith('./') || specifier.startsWith('node:') || specifier === 'ioredis',
          `${file} imports ${specifier}`,
        ).toBe(true);
      }
    },
  );
});
