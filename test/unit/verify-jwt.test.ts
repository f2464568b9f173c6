import { createHmac, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, publicJwkOf, type SigningKey } from '../../src/tokens/signing-key.js';
import { signJwt } from '../../src/tokens/sign-jwt.js';
import { TokenError, type TokenErrorCode } from '../../src/verify/token-error.js';
import { type JwsAlgorithm, verificationKeyFromJwk } from '../../src/verify/verification-key.js';
import { type JwtPolicy, verifyJwt } from '../../src/verify/verify-jwt.js';
import { accessClaims, accessPolicy, NOW, nowSeconds } from '../support/jwt-fixtures.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claims = accessClaims;

function policyFor(...keys: SigningKey[]): JwtPolicy {
  return accessPolicy((kid) => keys.find((key) => key.kid === kid));
}

function refusal(token: string, policy: JwtPolicy, now = NOW): TokenErrorCode | 'accepted' {
  try {
    verifyJwt(token, policy, now);
    return 'accepted';
  } catch (error) {
    if (error instanceof TokenError) return error.code;
    throw error;
  }
}

/**
 * A token of `key` with its header replaced: the signature no longer covers it, but the header's rules are
 * checked before the signature, so what refuses it is the header.
 */
function withHeader(key: SigningKey, header: Record<string, unknown>, body = claims()): string {
  const [, payload, signature] = signJwt(key, 'at+jwt', body).split('.');
  return `${b64(header)}.${payload}.${signature}`;
}

describe.each<JwsAlgorithm>(['EdDSA', 'ES256', 'RS256', 'HS256'])('verifyJwt with %s', (alg) => {
  const key = generateSigningKey(alg, NOW);
  const policy = policyFor(key);

  it('accepts a token it signed, and returns its claims', () => {
    const token = signJwt(key, 'at+jwt', claims());
    expect(verifyJwt(token, policy, NOW)).toMatchObject({ sub: 'user-1', sid: 'session-1' });
    expect(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString())).toEqual({
      alg,
      kid: key.kid,
      typ: 'at+jwt',
    });
  });

  it('refuses a tampered payload', () => {
    const [header, , signature] = signJwt(key, 'at+jwt', claims()).split('.');
    expect(refusal(`${header}.${b64(claims({ sub: 'admin' }))}.${signature}`, policy)).toBe(
      'token_signature_invalid',
    );
  });

  it.each(['none', 'None', 'NONE', 'nOnE'])('refuses alg %s, with or without a signature', (none) => {
    const unsigned = `${b64({ alg: none, kid: key.kid, typ: 'at+jwt' })}.${b64(claims())}`;
    expect(refusal(`${unsigned}.`, policy)).toBe('token_malformed');
    expect(refusal(`${unsigned}.c2ln`, policy)).toBe('token_header_refused');
  });

  it('refuses an unknown kid, a missing kid, and another key of the same algorithm', () => {
    const other = generateSigningKey(alg, NOW);
    expect(refusal(signJwt(other, 'at+jwt', claims()), policy)).toBe('token_key_unknown');
    const noKid = `${b64({ alg, typ: 'at+jwt' })}.${b64(claims())}.c2ln`;
    expect(refusal(noKid, policy)).toBe('token_key_unknown');
    // The right kid, but signed with another key.
    const forged = signJwt({ ...other, kid: key.kid }, 'at+jwt', claims());
    expect(refusal(forged, policy)).toBe('token_signature_invalid');
  });

  it.each(['jwk', 'jku', 'x5u', 'x5c', 'crit'])('refuses a token carrying a %s header', (name) => {
    const value =
      name === 'jwk' ? { kty: 'oct', k: 'AAAA' } : name === 'crit' ? ['exp'] : 'https://evil.example';
    expect(refusal(withHeader(key, { alg, kid: key.kid, typ: 'at+jwt', [name]: value }), policy)).toBe(
      'token_header_refused',
    );
  });

  it.each([
    ['typ', { typ: 'JWT' }],
    ['iss', { iss: 'https://evil.example' }],
    ['aud', { aud: 'other-service' }],
    ['aud missing', { aud: undefined }],
    ['aud empty list', { aud: [] }],
    ['exp missing', { exp: undefined }],
    ['iat missing', { iat: undefined }],
    ['sub missing', { sub: undefined }],
    ['purpose', { kcp: 'audience' }],
    ['purpose missing', { kcp: undefined }],
  ])('refuses a wrong %s', (_name, change) => {
    const { typ, ...rest } = change as { typ?: string } & Record<string, unknown>;
    const token = signJwt(key, typ ?? 'at+jwt', claims(rest));
    expect(refusal(token, policy)).toBe('token_claims_invalid');
  });

  it('accepts an audience list naming its audience, and typ as application/at+jwt', () => {
    expect(refusal(signJwt(key, 'application/at+jwt', claims({ aud: ['x', 'api'] })), policy)).toBe(
      'accepted',
    );
  });

  it('applies the clock skew to exp, nbf and iat, and no more', () => {
    const token = signJwt(key, 'at+jwt', claims({ exp: nowSeconds + 60 }));
    expect(refusal(token, policy, NOW + 60_000 + 29_000)).toBe('accepted');
    expect(refusal(token, policy, NOW + 60_000 + 30_000)).toBe('token_expired');
    const early = signJwt(key, 'at+jwt', claims({ nbf: nowSeconds + 20 }));
    expect(refusal(early, policy)).toBe('accepted');
    const later = signJwt(key, 'at+jwt', claims({ nbf: nowSeconds + 31 }));
    expect(refusal(later, policy)).toBe('token_not_yet_valid');
    const future = signJwt(key, 'at+jwt', claims({ iat: nowSeconds + 31 }));
    expect(refusal(future, policy)).toBe('token_not_yet_valid');
    expect(refusal(future, { ...policy, clockSkewSeconds: 60 })).toBe('accepted');
  });

  it('refuses what is not a compact JWS', () => {
    for (const text of ['', 'a.b', 'a.b.c.d', '..', 'eyJ.eyJ.', '!!!.eyJhIjoxfQ.c2ln', 'abc.def.ghi']) {
      expect(refusal(text, policy)).toBe('token_malformed');
    }
  });
});

describe('algorithm confusion', () => {
  it('refuses HS256 signed with an asymmetric key’s public key as the secret', () => {
    for (const alg of ['EdDSA', 'ES256', 'RS256'] as const) {
      const key = generateSigningKey(alg, NOW);
      const publicPem = key.key.export({ format: 'pem', type: 'spki' });
      const header = b64({ alg: 'HS256', kid: key.kid, typ: 'at+jwt' });
      const input = `${header}.${b64(claims())}`;
      const signature = createHmac('sha256', publicPem).update(input).digest('base64url');
      expect(refusal(`${input}.${signature}`, policyFor(key))).toBe('token_header_refused');
      // And with the JWK form of the public key too.
      const jwkSignature = createHmac('sha256', JSON.stringify(publicJwkOf(key)))
        .update(input)
        .digest('base64url');
      expect(refusal(`${input}.${jwkSignature}`, policyFor(key))).toBe('token_header_refused');
    }
  });

  it('refuses a token naming another asymmetric algorithm than its key’s', () => {
    const key = generateSigningKey('ES256', NOW);
    const token = withHeader(key, { alg: 'RS256', kid: key.kid, typ: 'at+jwt' });
    expect(refusal(token, policyFor(key))).toBe('token_header_refused');
  });
});

describe('verificationKeyFromJwk', () => {
  it('takes a published key, and refuses private, symmetric and mismatched ones', () => {
    const key = generateSigningKey('ES256', NOW);
    expect(verificationKeyFromJwk(publicJwkOf(key)).kid).toBe(key.kid);
    expect(() => verificationKeyFromJwk({ kty: 'oct', k: 'AAAA', kid: 'x', alg: 'HS256' })).toThrow(
      TypeError,
    );
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() =>
      verificationKeyFromJwk({ ...privateKey.export({ format: 'jwk' }), kid: 'p', alg: 'ES256' }),
    ).toThrow(TypeError);
    expect(() => verificationKeyFromJwk({ ...publicJwkOf(key), alg: 'EdDSA' })).toThrow(TypeError);
    expect(() => verificationKeyFromJwk({ ...publicJwkOf(key), alg: 'none' })).toThrow(TypeError);
  });
});
