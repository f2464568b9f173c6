import { createHmac, sign } from 'node:crypto';
import type { SigningKey } from './signing-key.js';

/**
 * Signs `claims` as a compact JWS with `key`, synchronously with node:crypto. The header carries `alg` (the key's),
 * `kid` and `typ`, nothing else: verifiers never need, and never get, a key or a key URL from a token.
 */
export function signJwt(key: SigningKey, typ: string, claims: Readonly<Record<string, unknown>>): string {
  const header = Buffer.from(JSON.stringify({ alg: key.alg, kid: key.kid, typ })).toString('base64url');
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signingInput = `${header}.${payload}`;
  const data = Buffer.from(signingInput, 'ascii');
  let signature: Buffer;
  switch (key.alg) {
    case 'HS256':
      signature = createHmac('sha256', key.signingKey).update(data).digest();
      break;
    case 'EdDSA':
      signature = sign(null, data, key.signingKey);
      break;
    case 'ES256':
      signature = sign('sha256', data, { key: key.signingKey, dsaEncoding: 'ieee-p1363' });
      break;
    case 'RS256':
      signature = sign('sha256', data, key.signingKey);
      break;
  }
  return `${signingInput}.${signature.toString('base64url')}`;
}
