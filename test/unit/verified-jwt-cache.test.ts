import { describe, expect, it } from 'vitest';
import { generateSigningKey, type SigningKey } from '../../src/tokens/signing-key.js';
import { signJwt } from '../../src/tokens/sign-jwt.js';
import { TokenError, type TokenErrorCode } from '../../src/verify/token-error.js';
import { signatureKeyOf, VerifiedJwtCache } from '../../src/verify/verified-jwt-cache.js';
import type { JwtPolicy } from '../../src/verify/verify-jwt.js';
import { accessClaims, accessPolicy, NOW } from '../support/jwt-fixtures.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function tokenOf(key: SigningKey, overrides: Record<string, unknown> = {}): string {
  return signJwt(key, 'at+jwt', accessClaims({ groups: ['group-1'], ...overrides }));
}

/** A policy whose keys the test can change, as a keyring's change on rotation or reload. */
function policyWith(keys: Map<string, SigningKey>): JwtPolicy {
  return accessPolicy((kid) => keys.get(kid));
}

function jtiOf(token: string): unknown {
  return (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { jti?: unknown })
    .jti;
}

function refusal(cache: VerifiedJwtCache, token: string, now = NOW): TokenErrorCode | 'accepted' {
  try {
    cache.verify(token, now);
    return 'accepted';
  } catch (error) {
    if (error instanceof TokenError) return error.code;
    throw error;
  }
}

describe.each(['EdDSA', 'HS256'] as const)('VerifiedJwtCache with %s', (alg) => {
  const key = generateSigningKey(alg, NOW);
  const fresh = () => {
    const keys = new Map([[key.kid, key]]);
    return { keys, cache: new VerifiedJwtCache(policyWith(keys), 100) };
  };

  it('accepts a token again from memory: the same claims, frozen', () => {
    const { cache } = fresh();
    const token = tokenOf(key);
    const first = cache.verify(token, NOW);
    expect(first).toMatchObject({ sub: 'user-1', sid: 'session-1' });
    expect(cache.verify(token, NOW + 1000)).toBe(first);
    expect(cache.size).toBe(1);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.groups)).toBe(true);
    expect(() => {
      (first as { sub: string }).sub = 'user-2';
    }).toThrow(TypeError);
  });

  it('checks the times again on every hit: expired beyond the skew, and forgotten', () => {
    const { cache } = fresh();
    const token = tokenOf(key);
    cache.verify(token, NOW);
    expect(refusal(cache, token, NOW + (900 + 29) * 1000)).toBe('accepted');
    expect(refusal(cache, token, NOW + (900 + 30) * 1000)).toBe('token_expired');
    expect(cache.size).toBe(0);
    // A clock set back before iat beyond the skew: not yet valid, from memory as on first sight.
    cache.verify(token, NOW);
    expect(refusal(cache, token, NOW - 31_000)).toBe('token_not_yet_valid');
  });

  it('refuses a cached token once its key is gone or its kid names another key', () => {
    const { cache, keys } = fresh();
    const token = tokenOf(key);
    const first = cache.verify(token, NOW);
    // The same key material under a new object (a reload of the keyring): still from memory.
    keys.set(key.kid, { ...key });
    expect(cache.verify(token, NOW)).toBe(first);
    keys.delete(key.kid);
    expect(refusal(cache, token)).toBe('token_key_unknown');
    expect(cache.size).toBe(0);
    keys.set(key.kid, key);
    cache.verify(token, NOW);
    keys.set(key.kid, { ...generateSigningKey(alg, NOW), kid: key.kid });
    expect(refusal(cache, token)).toBe('token_signature_invalid');
    expect(cache.size).toBe(0);
  });

  it('never takes a different string for a cached one: tampered payload, signature, or header', () => {
    const { cache } = fresh();
    const token = tokenOf(key);
    const first = cache.verify(token, NOW);
    const [header = '', payload = '', signature = ''] = token.split('.');
    const forgedPayload = b64({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'admin' });
    expect(refusal(cache, `${header}.${forgedPayload}.${signature}`)).toBe('token_signature_invalid');
    const at = signature.length - 8;
    const flipped = `${signature.slice(0, at)}${signature[at] === 'A' ? 'B' : 'A'}${signature.slice(at + 1)}`;
    expect(refusal(cache, `${header}.${payload}.${flipped}`)).toBe('token_signature_invalid');
    const noneHeader = b64({ alg: 'none', typ: 'at+jwt', kid: key.kid });
    expect(refusal(cache, `${noneHeader}.${payload}.${signature}`)).toBe('token_header_refused');
    expect(cache.size).toBe(1);
    // The forgeries carried the held token's signature: it is still held, and still a hit.
    expect(cache.verify(token, NOW)).toBe(first);
  });

  it('does not remember a refused token', () => {
    const { cache } = fresh();
    expect(refusal(cache, tokenOf(key, { aud: 'other' }))).toBe('token_claims_invalid');
    expect(refusal(cache, tokenOf(key, { kcp: 'refresh' }))).toBe('token_claims_invalid');
    expect(cache.size).toBe(0);
  });
});

describe('VerifiedJwtCache bounds', () => {
  it('keeps at most its capacity, dropping the oldest first; a dropped token is verified again', () => {
    const key = generateSigningKey('EdDSA', NOW);
    const cache = new VerifiedJwtCache(policyWith(new Map([[key.kid, key]])), 2);
    const [a = '', b = '', c = ''] = ['a', 'b', 'c'].map((sub) => tokenOf(key, { sub }));
    const claimsOfA = cache.verify(a, NOW);
    cache.verify(b, NOW);
    cache.verify(c, NOW);
    expect(cache.size).toBe(2);
    const again = cache.verify(a, NOW);
    expect(again).toEqual(claimsOfA);
    expect(again).not.toBe(claimsOfA);
    expect(cache.verify(c, NOW).sub).toBe('c');
  });

  it('holds one of two valid tokens that share a map key at a time, and accepts each with its own claims', () => {
    const key = generateSigningKey('HS256', NOW);
    const cache = new VerifiedJwtCache(policyWith(new Map([[key.kid, key]])), 10);
    // Two tokens whose signatures give the same 30-bit key: a birthday search, ~40,000 tokens on average.
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let index = 0; pair === undefined && index < 300_000; index += 1) {
      const token = tokenOf(key, { jti: `jti-${index}` });
      const other = seen.get(signatureKeyOf(token));
      if (other === undefined) seen.set(signatureKeyOf(token), token);
      else pair = [other, token];
    }
    if (pair === undefined) throw new Error('no two tokens with the same key in 300,000');
    const [first, second] = pair;
    expect(first).not.toBe(second);
    expect(cache.verify(first, NOW).jti).toBe(jtiOf(first));
    expect(cache.verify(second, NOW).jti).toBe(jtiOf(second));
    expect(cache.size).toBe(1);
    expect(cache.verify(first, NOW).jti).toBe(jtiOf(first));
    expect(cache.size).toBe(1);
  });

  it('gives every string a small integer key, short and empty ones too', () => {
    for (const token of ['', 'a', 'abcdefg', 'x'.repeat(600), 'é'.repeat(40)]) {
      const mapKey = signatureKeyOf(token);
      expect(Number.isInteger(mapKey)).toBe(true);
      expect(mapKey).toBeGreaterThanOrEqual(0);
      expect(mapKey).toBeLessThan(2 ** 30);
    }
    expect(signatureKeyOf('header.payload.ABCDEFGx')).not.toBe(signatureKeyOf('header.payload.ABCDEFHx'));
  });

  it('refuses a capacity that is not a positive integer', () => {
    const policy = policyWith(new Map());
    expect(() => new VerifiedJwtCache(policy, 0)).toThrow(TypeError);
    expect(() => new VerifiedJwtCache(policy, 1.5)).toThrow(TypeError);
  });
});
