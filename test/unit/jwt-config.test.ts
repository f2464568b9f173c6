import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config.js';
import { keycardOptionsFrom } from '../../src/keycard-options.js';
import { readSigningKeyFile } from '../../src/tokens/read-signing-key-file.js';

const folder = mkdtempSync(join(tmpdir(), 'keycard-keys-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const file = (name: string, content: string | Buffer) => {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
};
const problemsOf = (env: Record<string, string>): string[] => {
  try {
    const config = loadConfig(env);
    keycardOptionsFrom(config, randomBytes(32));
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
};

describe('JWT configuration', () => {
  it('has defaults: opaque tokens, EdDSA, 15 min, 30 s of skew, issuer from host and port', () => {
    expect(loadConfig({ KEYCARD_PORT: '9000' })).toMatchObject({
      accessTokenFormat: 'opaque',
      jwtAlg: 'EdDSA',
      jwtTtlSeconds: 900,
      clockSkewSeconds: 30,
      issuer: 'http://127.0.0.1:9000',
      audiences: ['keycard'],
      serviceKeys: [],
      jwtKeyFile: undefined,
    });
    expect(loadConfig({ KEYCARD_AUDIENCE: 'api, billing', KEYCARD_CLOCK_SKEW: '0' })).toMatchObject({
      audiences: ['api', 'billing'],
      clockSkewSeconds: 0,
    });
  });

  it.each([
    [{ KEYCARD_ACCESS_TOKEN_FORMAT: 'paseto' }, 'KEYCARD_ACCESS_TOKEN_FORMAT'],
    [{ KEYCARD_JWT_ALG: 'none' }, 'KEYCARD_JWT_ALG'],
    [{ KEYCARD_JWT_ALG: 'HS512' }, 'KEYCARD_JWT_ALG'],
    [{ KEYCARD_AUDIENCE: ' , ' }, 'KEYCARD_AUDIENCE'],
    [{ KEYCARD_CLOCK_SKEW: '10m' }, 'KEYCARD_CLOCK_SKEW'],
    [{ KEYCARD_JWT_TTL: 'soon' }, 'KEYCARD_JWT_TTL'],
    [{ KEYCARD_ISSUER: 'not a url' }, 'KEYCARD_ISSUER'],
    [{ KEYCARD_SERVICE_KEYS: 'short' }, 'KEYCARD_SERVICE_KEYS'],
  ])('refuses %o, naming the variable', (env, name) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}:`));
  });

  it('does not echo service keys in its complaint', () => {
    expect(problemsOf({ KEYCARD_SERVICE_KEYS: 'tiny-secret' }).join()).not.toContain('tiny-secret');
  });
});

describe('KEYCARD_JWT_KEY_FILE', () => {
  it('stops startup for an HS256 secret under 32 bytes, naming the variable', () => {
    const path = file('short.key', 'x'.repeat(31));
    expect(problemsOf({ KEYCARD_JWT_ALG: 'HS256', KEYCARD_JWT_KEY_FILE: path })).toEqual([
      expect.stringMatching(/^KEYCARD_JWT_KEY_FILE: an HS256 key must be a secret of at least 32 bytes/),
    ]);
    expect(readSigningKeyFile(file('ok.key', `${'y'.repeat(32)}\n`), 'HS256').key.symmetricKeySize).toBe(32);
    const jwk = file('oct.json', JSON.stringify({ kty: 'oct', k: randomBytes(16).toString('base64url') }));
    expect(() => readSigningKeyFile(jwk, 'HS256')).toThrow(/at least 32 bytes/);
  });

  it('reads a PEM or JWK private key of the configured algorithm, with its kid or a stable one', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = file('ec.pem', privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const fromPem = readSigningKeyFile(pem, 'ES256');
    expect(fromPem.alg).toBe('ES256');
    expect(readSigningKeyFile(pem, 'ES256').kid).toBe(fromPem.kid);
    const jwk = file('ec.json', JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid: 'key-2026' }));
    expect(readSigningKeyFile(jwk, 'ES256').kid).toBe('key-2026');
    // The wrong algorithm for the key, a public key, a missing file: refused.
    expect(() => readSigningKeyFile(pem, 'EdDSA')).toThrow(/does not fit EdDSA/);
    expect(() => readSigningKeyFile(pem, 'RS256')).toThrow(/does not fit RS256/);
    const publicPem = file(
      'public.pem',
      generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }),
    );
    expect(() => readSigningKeyFile(publicPem, 'EdDSA')).toThrow(/no private key/);
    expect(() => readSigningKeyFile(join(folder, 'missing.pem'), 'EdDSA')).toThrow(/cannot read/);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(() =>
      readSigningKeyFile(file('rsa1024.pem', small.export({ format: 'pem', type: 'pkcs8' })), 'RS256'),
    ).toThrow(/RSA of 2048 bits/);
  });
});
