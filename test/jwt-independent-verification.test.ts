import jwt from 'jsonwebtoken';
import jwksClient from 'jwks-rsa';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { JWT_ISSUER, type ListeningKeycard, startListeningKeycard } from './support/listening-keycard.js';

/**
 * Keycard's tokens verified by libraries that share no code with it, from the published JWKS over HTTP:
 * jsonwebtoken + jwks-rsa for ES256 and RS256 (jsonwebtoken has no EdDSA), jose for EdDSA.
 */
let kc: ListeningKeycard | undefined;
afterEach(async () => {
  await kc?.close();
  kc = undefined;
});

describe.each(['ES256', 'RS256'] as const)('%s tokens', (alg) => {
  it('verify with jsonwebtoken and jwks-rsa', async () => {
    kc = await startListeningKeycard({ jwt: { format: 'jwt', issuer: JWT_ISSUER, audiences: ['api'], alg } });
    const { tokens, user } = await kc.register();
    const client = jwksClient({ jwksUri: `${kc.url}/.well-known/jwks.json`, cache: false });
    const header = JSON.parse(
      Buffer.from(tokens.access_token.split('.')[0] ?? '', 'base64url').toString(),
    ) as {
      kid: string;
    };
    const key = await client.getSigningKey(header.kid);
    const payload = jwt.verify(tokens.access_token, key.getPublicKey(), {
      algorithms: [alg],
      issuer: JWT_ISSUER,
      audience: 'api',
    }) as jwt.JwtPayload;
    expect(payload.sub).toBe(user.uuid);
    expect(() =>
      jwt.verify(tokens.access_token, key.getPublicKey(), {
        algorithms: [alg],
        issuer: JWT_ISSUER,
        audience: 'other',
      }),
    ).toThrow(/audience/);
  });
});

describe('EdDSA tokens', () => {
  it('verify with jose from the remote JWKS', async () => {
    kc = await startListeningKeycard();
    const { tokens, user } = await kc.register();
    const { payload } = await jwtVerify(
      tokens.access_token,
      createRemoteJWKSet(new URL(`${kc.url}/.well-known/jwks.json`)),
      {
        issuer: JWT_ISSUER,
        audience: 'api',
        typ: 'at+jwt',
        algorithms: ['EdDSA'],
      },
    );
    expect(payload.sub).toBe(user.uuid);
  });
});
