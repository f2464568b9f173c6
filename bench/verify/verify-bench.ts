import { createHmac, timingSafeEqual, verify as verifySignature } from 'node:crypto';
import { importJWK, jwtVerify } from 'jose';
import { signJwt } from '../../src/tokens/sign-jwt.js';
import { generateSigningKey, publicJwkOf, type SigningKey } from '../../src/tokens/signing-key.js';
import { createVerifier, type VerifierOptions } from '../../src/verify/create-verifier.js';
import type { JwsAlgorithm } from '../../src/verify/verification-key.js';
import { type JwtPolicy, verifyJwt } from '../../src/verify/verify-jwt.js';
import { median, spread } from '../core/stats.js';

const ROUNDS = 3;
const ROUND_MS = 300;
const ISSUER = 'https://keycard.bench';

/** Operations per second of `operation` over about `ROUND_MS`, in batches so the clock is read rarely. */
async function opsPerSecond(operation: () => unknown, async: boolean): Promise<number> {
  const batch = 200;
  let done = 0;
  const started = performance.now();
  while (performance.now() - started < ROUND_MS) {
    for (let i = 0; i < batch; i += 1) {
      if (async) await operation();
      else operation();
    }
    done += batch;
  }
  return (done * 1000) / (performance.now() - started);
}

/** The signature check alone with node:crypto, on the same token: the floor any verifier pays. */
function rawVerification(key: SigningKey, token: string): () => boolean {
  const dot = token.lastIndexOf('.');
  const data = Buffer.from(token.slice(0, dot), 'ascii');
  return () => {
    const signature = Buffer.from(token.slice(dot + 1), 'base64url');
    switch (key.alg) {
      case 'HS256': {
        const expected = createHmac('sha256', key.key).update(data).digest();
        return timingSafeEqual(expected, signature);
      }
      case 'EdDSA':
        return verifySignature(null, data, key.key, signature);
      case 'ES256':
        return verifySignature('sha256', data, { key: key.key, dsaEncoding: 'ieee-p1363' }, signature);
      case 'RS256':
        return verifySignature('sha256', data, key.key, signature);
    }
  };
}

interface Row {
  readonly alg: JwsAlgorithm;
  readonly raw: number[];
  readonly verifyJwt: number[];
  readonly verifier: number[];
  readonly remembered: number[];
  readonly jose: number[];
}

/**
 * `verify()` of keycard/verify (checking every signature, and remembering tokens) and Keycard's own `verifyJwt`
 * against raw node:crypto verification of the same token, and jose's `jwtVerify` (WebCrypto) for comparison, per
 * algorithm; rounds alternate, medians reported.
 */
export async function measureVerify(): Promise<string> {
  const rows: Row[] = [];
  for (const alg of ['EdDSA', 'ES256', 'RS256', 'HS256'] as const) {
    const key = generateSigningKey(alg, Date.now());
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt(key, 'at+jwt', {
      iss: ISSUER,
      sub: 'user',
      aud: 'api',
      exp: now + 3600,
      iat: now,
      nbf: now,
      sid: 'session',
      kcp: 'access',
    });
    const policy: JwtPolicy = {
      keyFor: (kid) => (kid === key.kid ? key : undefined),
      typ: 'at+jwt',
      issuer: ISSUER,
      audiences: ['api'],
      clockSkewSeconds: 30,
      purposes: ['access'],
    };
    // The verifiers fetch their keys from a JWKS; HS256 is never published, so it has no verifier cells. One
    // checks every signature; the other remembers the tokens it verified (the default), so the loop, which
    // verifies the same token again and again, measures what a client's later requests cost.
    const verifierOf = (options: Pick<VerifierOptions, 'rememberedTokens'>) =>
      alg === 'HS256'
        ? undefined
        : createVerifier({
            issuer: ISSUER,
            audience: 'api',
            jwksUrl: 'http://127.0.0.1/jwks',
            fetch: () => Promise.resolve(Response.json({ keys: [publicJwkOf(key)] })),
            ...options,
          });
    const verifier = verifierOf({ rememberedTokens: 0 });
    const remembering = verifierOf({});
    await verifier?.jwks.refresh();
    await remembering?.jwks.refresh();
    const joseKey = alg === 'HS256' ? key.key : await importJWK({ ...publicJwkOf(key) }, alg);
    const raw = rawVerification(key, token);
    const row: Row = { alg, raw: [], verifyJwt: [], verifier: [], remembered: [], jose: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      row.raw.push(await opsPerSecond(raw, false));
      row.verifyJwt.push(await opsPerSecond(() => verifyJwt(token, policy, Date.now()), false));
      if (verifier !== undefined) row.verifier.push(await opsPerSecond(() => verifier.verify(token), true));
      if (remembering !== undefined) {
        row.remembered.push(await opsPerSecond(() => remembering.verify(token), true));
      }
      row.jose.push(
        await opsPerSecond(
          () =>
            jwtVerify(token, joseKey, { issuer: ISSUER, audience: 'api', algorithms: [alg], typ: 'at+jwt' }),
          true,
        ),
      );
    }
    await verifier?.close();
    await remembering?.close();
    rows.push(row);
  }
  const cell = (values: readonly number[], raw: readonly number[]) =>
    values.length === 0
      ? 'n/a (HS256 is never published)'
      : `${Math.round(median(values)).toLocaleString('en')} (${spread(
          values.map((value) => value / 1000),
          0,
        )}k) **${(median(values) / median(raw)).toFixed(2)}×**`;
  return [
    `ops/s, median of ${ROUNDS} alternating rounds of ${ROUND_MS} ms (spread in thousands), ratio to raw node:crypto`,
    '',
    '| alg | raw node:crypto signature check | verifyJwt (Keycard, sync) | keycard/verify verify(), every signature checked (`rememberedTokens: 0`) | verify(), the same token again (remembered, the default) | jose jwtVerify (WebCrypto) |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.alg} | ${Math.round(median(row.raw)).toLocaleString('en')} (${spread(
          row.raw.map((value) => value / 1000),
          0,
        )}k) | ${cell(row.verifyJwt, row.raw)} | ${cell(row.verifier, row.raw)} | ${cell(row.remembered, row.raw)} | ${cell(row.jose, row.raw)} |`,
    ),
  ].join('\n');
}
