import type { KeycardOptions } from '../../src/keycard.js';

/**
 * The Keycard options and password the tests use. A module of its own, free of Vitest, so that a child process a
 * test starts (test/support/hidden-class-child.ts) can build the same Keycard.
 */
export const TEST_SECRET = Buffer.from('test-secret-test-secret-test-secret-0123456789', 'utf8');

export const testOptions: KeycardOptions = {
  secret: TEST_SECRET,
  lifetimes: {
    short: { idleSeconds: 90 * 60, absoluteSeconds: 12 * 3600 },
    long: { idleSeconds: 7 * 86_400, absoluteSeconds: 90 * 86_400 },
    anonymous: { idleSeconds: 3 * 86_400, absoluteSeconds: 30 * 86_400 },
  },
  accessTtlSeconds: 3600,
  refreshGraceSeconds: 30,
  apiVersions: { supported: ['20190520', '20200115'], defaultVersion: '20200115' },
};

export const PASSWORD = 'correct horse battery staple';
