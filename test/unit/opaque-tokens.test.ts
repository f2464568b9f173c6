import { describe, expect, it } from 'vitest';
import { advanceRefreshSecret, nextRefreshSecret } from '../../src/sessions/refresh-chain.js';
import { generateSecret, hashSecret, secretMatchesHash } from '../../src/tokens/opaque-secret.js';
import { parseAccessToken, parseRefreshToken } from '../../src/tokens/session-token.js';

const uuid = '6f1c2a0e-5d4b-4c3a-9b2a-1e0f9d8c7b6a';

describe('opaque secrets', () => {
  it('are 256 random bits and never repeat', () => {
    const secrets = new Set(Array.from({ length: 1000 }, generateSecret));
    expect(secrets.size).toBe(1000);
    for (const secret of secrets) expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
  });

  it('match only their own SHA-256 hash', () => {
    const secret = generateSecret();
    const hash = hashSecret(secret);
    expect(hash).not.toContain(secret);
    expect(secretMatchesHash(secret, hash)).toBe(true);
    expect(secretMatchesHash(generateSecret(), hash)).toBe(false);
    expect(secretMatchesHash(secret, 'short')).toBe(false);
  });
});

describe('token formats', () => {
  const secret = generateSecret();

  it('parses access and refresh tokens and refuses one as the other', () => {
    expect(parseAccessToken(`${uuid}.${secret}`)).toEqual({ sessionUuid: uuid, secret });
    expect(parseRefreshToken(`${uuid}.7.${secret}`)).toEqual({ sessionUuid: uuid, generation: 7, secret });
    expect(parseAccessToken(`${uuid}.7.${secret}`)).toBeUndefined();
    expect(parseRefreshToken(`${uuid}.${secret}`)).toBeUndefined();
  });

  it.each([
    '',
    'garbage',
    `${uuid.toUpperCase()}.${'A'.repeat(43)}`,
    `${uuid}.${'A'.repeat(42)}`,
    `${uuid}.${'A'.repeat(42)}=`,
    `${uuid}.${'A'.repeat(44)}`,
    `not-a-uuid.${'A'.repeat(43)}`,
  ])('refuses malformed access token %j', (token) => {
    expect(parseAccessToken(token)).toBeUndefined();
  });

  it.each(['-1', '01', '1e3', '9999999999', ''])('refuses refresh generation %j', (generation) => {
    expect(parseRefreshToken(`${uuid}.${generation}.${secret}`)).toBeUndefined();
  });
});

describe('refresh chain', () => {
  const key = new Uint8Array(32).fill(7);

  it('derives each secret from the one before under the key', () => {
    const first = generateSecret();
    const second = nextRefreshSecret(key, first);
    expect(second).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(nextRefreshSecret(key, first)).toBe(second);
    expect(nextRefreshSecret(new Uint8Array(32).fill(8), first)).not.toBe(second);
    expect(advanceRefreshSecret(key, first, 3)).toBe(nextRefreshSecret(key, nextRefreshSecret(key, second)));
  });
});
