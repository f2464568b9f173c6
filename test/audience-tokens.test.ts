import { compactDecrypt } from 'jose';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/http/app.js';
import { createKeycard } from '../src/keycard.js';
import { parseClaimsRegistry } from '../src/core/claims-registry.js';
import { bearer, errorOf, registerUser, testOptions, useTestKeycard } from './support/test-keycard.js';

const CLAIMS_KEY = Buffer.alloc(32, 9);
const claims = parseClaimsRegistry(
  JSON.stringify([
    { name: 'email', type: 'string', audiences: ['keycard', 'billing'], readers: 'clients' },
    { name: 'plan', type: 'string', audiences: ['billing'], readers: 'clients' },
    { name: 'credit_limit', type: 'integer', audiences: ['billing'], readers: 'services' },
    { name: 'shipping_zone', type: 'string', audiences: ['shipping'], readers: 'clients' },
  ]),
);
const jwt = {
  format: 'jwt' as const,
  issuer: 'https://auth.example',
  audiences: ['keycard'],
  claims,
  claimsKey: CLAIMS_KEY,
  tokenAudiences: ['reports'],
};
const payloadOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

describe('POST /session/token and custom claims', () => {
  const t = useTestKeycard({ jwt });

  async function mint(accessToken: string, body: unknown) {
    return t.app.inject({
      method: 'POST',
      url: '/session/token',
      headers: bearer(accessToken),
      payload: body as object,
    });
  }

  it('puts the claims declared for Keycard’s audience in access tokens, from the user record', async () => {
    const { tokens, user } = await registerUser(t.app);
    const payload = payloadOf(tokens.access_token);
    expect(payload.email).toBe(user.email);
    expect(payload).not.toHaveProperty('plan');
    expect(payload).not.toHaveProperty('credit_limit');
  });

  it('mints a short-lived token for one audience, with only that audience’s claims', async () => {
    const { tokens, user, session } = await registerUser(t.app);
    const response = await mint(tokens.access_token, { audience: 'shipping' });
    expect(response.statusCode).toBe(200);
    const body = response.json<{
      access_token: string;
      expires_in: number;
      token_type: string;
      audience: string;
    }>();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 300, audience: 'shipping' });
    const payload = payloadOf(body.access_token);
    expect(payload).toMatchObject({ aud: 'shipping', sub: user.uuid, sid: session.uuid, kcp: 'audience' });
    // No shipping_zone value exists for this user: the claim is left out, not invented; email is not for shipping.
    expect(Object.keys(payload).sort()).toEqual([
      'api',
      'aud',
      'exp',
      'iat',
      'iss',
      'jti',
      'kcp',
      'nbf',
      'sid',
      'sub',
      'ver',
    ]);
    // Keycard refuses it as an access token.
    const refused = await t.app.inject({ method: 'GET', url: '/me', headers: bearer(body.access_token) });
    expect(errorOf(refused).code).toBe('token_invalid');
  });

  it('refuses an audience it does not mint for, and bad bodies', async () => {
    const { tokens } = await registerUser(t.app);
    const unknown = await mint(tokens.access_token, { audience: 'elsewhere' });
    expect(unknown.statusCode).toBe(400);
    expect(errorOf(unknown).code).toBe('audience_unknown');
    // Keycard's own audience: an access token is what the caller already has.
    expect(errorOf(await mint(tokens.access_token, { audience: 'keycard' })).code).toBe('audience_unknown');
    expect(errorOf(await mint(tokens.access_token, {})).code).toBe('invalid_request');
    expect(errorOf(await mint(tokens.access_token, { audience: 'reports', extra: 1 })).code).toBe(
      'invalid_request',
    );
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/session/token',
      payload: { audience: 'reports' },
    });
    expect(errorOf(anonymous).code).toBe('token_missing');
    expect((await mint(tokens.access_token, { audience: 'reports' })).statusCode).toBe(200);
  });
});

describe('claims from the embedding app', () => {
  const t = useTestKeycard({ jwt });

  it('come from its hook only, typed as declared, and those only services read are a JWE under the shared key', async () => {
    const keycard = createKeycard(
      {
        store: t.store,
        clock: t.clock,
        claimsFor: ({ audience }) => ({
          plan: 'gold',
          credit_limit: 5000,
          email: 'spoofed@example.com',
          shipping_zone: 42, // not a string: left out
          is_admin: true, // not registered: left out
          audience_seen: audience,
        }),
      },
      { ...testOptions, jwt },
    );
    const app = await buildApp(keycard);
    try {
      const { tokens } = await registerUser(app);
      const billing = await app.inject({
        method: 'POST',
        url: '/session/token',
        headers: bearer(tokens.access_token),
        payload: { audience: 'billing' },
      });
      const payload = payloadOf(billing.json<{ access_token: string }>().access_token);
      expect(payload.plan).toBe('gold');
      expect(payload.email).toBe('spoofed@example.com'); // the app's hook wins over the user record
      expect(payload).not.toHaveProperty('is_admin');
      expect(payload).not.toHaveProperty('audience_seen');
      const sealed = payload.credit_limit as string;
      expect(sealed.split('.')).toHaveLength(5);
      expect(sealed).not.toContain('5000');
      const { plaintext, protectedHeader } = await compactDecrypt(sealed, CLAIMS_KEY);
      expect(protectedHeader).toMatchObject({ alg: 'dir', enc: 'A256GCM' });
      expect(JSON.parse(new TextDecoder().decode(plaintext))).toBe(5000);
      const shipping = await app.inject({
        method: 'POST',
        url: '/session/token',
        headers: bearer(tokens.access_token),
        payload: { audience: 'shipping' },
      });
      expect(payloadOf(shipping.json<{ access_token: string }>().access_token)).not.toHaveProperty(
        'shipping_zone',
      );
    } finally {
      await app.close();
    }
  });
});

describe('the claims registry', () => {
  it.each([
    ['[{"name":"sub","type":"string","audiences":["a"],"readers":"clients"}]', /Keycard sets itself/],
    ['[{"name":"x","type":"date","audiences":["a"],"readers":"clients"}]', /type must be/],
    ['[{"name":"x","type":"string","audiences":[],"readers":"clients"}]', /audiences/],
    ['[{"name":"x","type":"string","audiences":["a"],"readers":"anyone"}]', /readers/],
    [
      '[{"name":"x","type":"string","audiences":["a"],"readers":"clients","from":"body"}]',
      /unknown field from/,
    ],
    ['{"name":"x"}', /JSON array/],
  ])('refuses %s', (text, message) => {
    expect(() => parseClaimsRegistry(text)).toThrow(message);
  });
});
