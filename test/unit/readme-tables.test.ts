import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configVariables } from '../../src/core/config.js';
import { errorRegistry } from '../../src/core/errors.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('error registry', () => {
  it.each(Object.entries(errorRegistry))('%s has a status and a README row that agrees', (code, entry) => {
    expect(entry.status).toBeGreaterThanOrEqual(400);
    expect(entry.status).toBeLessThan(600);
    expect(entry.message.length).toBeGreaterThan(0);
    const row = new RegExp(`^\\|\\s*\`${code}\`\\s*\\|\\s*${entry.status}\\s*\\|`, 'm');
    expect(readme).toMatch(row);
  });

  it('lists no code in the README that the registry does not know', () => {
    const documented = [...readme.matchAll(/^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|/gm)].map(
      (match) => match[1],
    );
    expect(documented.sort()).toEqual(Object.keys(errorRegistry).sort());
  });
});

describe('configuration', () => {
  it.each(Object.keys(configVariables))('%s has a README row', (name) => {
    expect(readme).toMatch(new RegExp(`^\\|\\s*\`${name}\`\\s*\\|`, 'm'));
  });
});
