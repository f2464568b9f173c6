import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('KEYCARD_TRUSTED_ORIGINS', () => {
  it('trusts no other origin by default', () => {
    expect(loadConfig({}).trustedOrigins).toEqual([]);
    expect(loadConfig({ KEYCARD_TRUSTED_ORIGINS: 'none' }).trustedOrigins).toEqual([]);
  });

  it('reads comma-separated origins as browsers send them', () => {
    const config = loadConfig({
      KEYCARD_TRUSTED_ORIGINS: 'https://app.example.com, http://localhost:5173',
    });
    expect(config.trustedOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
  });

  it.each([
    ['a wildcard', '*'],
    ['the opaque origin', 'null'],
    ['a trailing slash', 'https://app.example.com/'],
    ['a path', 'https://app.example.com/account'],
    ['a default port written out', 'https://app.example.com:443'],
    ['another scheme', 'ftp://files.example.com'],
    ['no scheme', 'app.example.com'],
    ['an empty entry', 'https://app.example.com,'],
  ])('refuses %s (%s), naming the variable', (_case, value) => {
    const problems = problemsOf({ KEYCARD_TRUSTED_ORIGINS: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^KEYCARD_TRUSTED_ORIGINS: /);
  });
});
