import { createServer, type Server } from 'node:http';
import Fastify from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signJwt } from '../src/tokens/sign-jwt.js';
import { generateSigningKey } from '../src/tokens/signing-key.js';
import {
  createVerifier,
  expressVerifier,
  fastifyVerifier,
  nodeHttpAuthenticator,
  type Verifier,
  type VerifierOptions,
} from '../src/verify/index.js';
import {
  JWT_ISSUER,
  type ListeningKeycard,
  SERVICE_KEY,
  startListeningKeycard,
} from './support/listening-keycard.js';
import { TcpProxy } from './support/tcp-proxy.js';

let kc: ListeningKeycard;
const verifiers: Verifier[] = [];

beforeEach(async () => {
  kc = await startListeningKeycard();
});
afterEach(async () => {
  await Promise.all(verifiers.splice(0).map((verifier) => verifier.close()));
  await kc.close();
});

function verifierFor(overrides: Partial<VerifierOptions> = {}, feedUrl = kc.url): Verifier {
  const verifier = createVerifier({
    issuer: JWT_ISSUER,
    audience: 'api',
    jwksUrl: `${kc.url}/.well-known/jwks.json`,
    feed: {
      sse: {
        url: `${feedUrl}/events/revocations`,
        serviceKey: SERVICE_KEY,
        idleTimeoutMs: 1000,
        reconnectDelayMs: 50,
      },
    },
    ...overrides,
  });
  verifiers.push(verifier);
  return verifier;
}

async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('createVerifier', () => {
  it('verifies Keycard’s tokens from the JWKS, and refuses forged ones and other audiences', async () => {
    const verifier = verifierFor();
    await verifier.ready();
    const { tokens, user, session } = await kc.register();
    const result = await verifier.verify(tokens.access_token);
    expect(result.ok && result.claims).toMatchObject({ sub: user.uuid, sid: session.uuid });
    const [header, payload] = tokens.access_token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('x'.repeat(64)).toString('base64url')}`;
    expect(await verifier.verify(forged)).toMatchObject({ ok: false, code: 'token_signature_invalid' });
    expect(await verifier.verify(tokens.refresh_token)).toMatchObject({ ok: false, code: 'token_malformed' });
    const other = verifierFor({ audience: 'billing' });
    await other.ready();
    expect(await other.verify(tokens.access_token)).toMatchObject({
      ok: false,
      code: 'token_claims_invalid',
    });
  });

  it('refuses a revoked session within milliseconds, through the SSE stream', async () => {
    const verifier = verifierFor();
    await verifier.ready();
    const { tokens } = await kc.register();
    expect((await verifier.verify(tokens.access_token)).ok).toBe(true);
    await kc.signOut(tokens.access_token);
    const signedOutAt = performance.now();
    const refusal = await until(async () => {
      const result = await verifier.verify(tokens.access_token);
      return result.ok ? undefined : result;
    });
    expect(refusal.code).toBe('token_revoked');
    expect(performance.now() - signedOutAt).toBeLessThan(500);
  });

  it('learns of sessions ended before it connected from the snapshot', async () => {
    const { tokens } = await kc.register();
    await kc.signOut(tokens.access_token);
    const verifier = verifierFor();
    await verifier.ready();
    expect(await verifier.verify(tokens.access_token)).toMatchObject({ ok: false, code: 'token_revoked' });
  });

  it('refuses every token before its first snapshot, and with the feed down past the bound (fail closed)', async () => {
    const proxy = new TcpProxy(kc.port);
    await proxy.start();
    try {
      const { tokens } = await kc.register();
      const verifier = verifierFor({ feedDownAfterMs: 300 }, `http://127.0.0.1:${proxy.port}`);
      expect(await verifier.verify(tokens.access_token)).toMatchObject({
        ok: false,
        code: 'revocation_feed_unavailable',
      });
      await verifier.ready();
      expect((await verifier.verify(tokens.access_token)).ok).toBe(true);
      await proxy.cut();
      await until(() => Promise.resolve(verifier.feedListening() ? undefined : true));
      // Within the bound, the feed's word still holds.
      expect((await verifier.verify(tokens.access_token)).ok).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(await verifier.verify(tokens.access_token)).toMatchObject({
        ok: false,
        code: 'revocation_feed_unavailable',
      });
      // Back: the new connection's snapshot vouches again.
      await proxy.restore();
      await until(async () => ((await verifier.verify(tokens.access_token)).ok ? true : undefined));
    } finally {
      await proxy.close();
    }
  });

  it('falls back to introspection with the feed down, when told to', async () => {
    const proxy = new TcpProxy(kc.port);
    await proxy.start();
    try {
      const live = await kc.register();
      const ended = await kc.register();
      const verifier = verifierFor(
        {
          feedDownAfterMs: 100,
          whenFeedDown: { introspect: { url: `${kc.url}/introspect`, serviceKey: SERVICE_KEY } },
        },
        `http://127.0.0.1:${proxy.port}`,
      );
      await verifier.ready();
      await proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 150));
      // Ended while the feed is down: only introspection can tell.
      await kc.signOut(ended.tokens.access_token);
      expect((await verifier.verify(live.tokens.access_token)).ok).toBe(true);
      expect(await verifier.verify(ended.tokens.access_token)).toMatchObject({
        ok: false,
        code: 'token_revoked',
      });
      // With Keycard unreachable too, it fails closed.
      const unreachable = verifierFor(
        {
          feedDownAfterMs: 100,
          whenFeedDown: {
            introspect: { url: `http://127.0.0.1:${proxy.port}/introspect`, serviceKey: SERVICE_KEY },
          },
        },
        `http://127.0.0.1:${proxy.port}`,
      );
      await unreachable.jwks.refresh();
      expect(await unreachable.verify(live.tokens.access_token)).toMatchObject({
        ok: false,
        code: 'revocation_feed_unavailable',
      });
    } finally {
      await proxy.close();
    }
  });

  it('fetches the JWKS again for a new kid, at most once per 30 s', async () => {
    let offsetMs = 0;
    const verifier = verifierFor({ now: () => Date.now() + offsetMs });
    await verifier.ready();
    expect(verifier.jwks.fetchCount).toBe(1);
    await kc.keycard.jwt.rotateSigningKey();
    const { tokens } = await kc.register();
    // Signed with the new key, less than 30 s after the last fetch: no fetch, refused for now.
    expect(await verifier.verify(tokens.access_token)).toMatchObject({
      ok: false,
      code: 'token_key_unknown',
    });
    expect(verifier.jwks.fetchCount).toBe(1);
    offsetMs = 31_000;
    expect((await verifier.verify(tokens.access_token)).ok).toBe(true);
    expect(verifier.jwks.fetchCount).toBe(2);
    // A kid nobody published, right after: no fetch.
    const stranger = signJwt(generateSigningKey('EdDSA', 0), 'at+jwt', {
      iss: JWT_ISSUER,
      sub: 'x',
      aud: 'api',
    });
    expect(await verifier.verify(stranger)).toMatchObject({ ok: false, code: 'token_key_unknown' });
    expect(verifier.jwks.fetchCount).toBe(2);
  });
});

describe('Keycard’s service endpoints', () => {
  it('refuse a missing or wrong service key', async () => {
    for (const authorization of [undefined, 'Bearer wrong-key', `Bearer ${SERVICE_KEY}x`]) {
      const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
      const stream = await fetch(`${kc.url}/events/revocations`, { headers });
      expect(stream.status).toBe(401);
      expect(((await stream.json()) as { error: { code: string } }).error.code).toBe('service_key_invalid');
      const introspection = await fetch(`${kc.url}/introspect`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ token: 'x' }),
      });
      expect(introspection.status).toBe(401);
    }
  });

  it('introspect (RFC 7662): active with the claims, or only active: false', async () => {
    const { tokens, user } = await kc.register();
    const introspect = async (body: string, type: string) => {
      const response = await fetch(`${kc.url}/introspect`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SERVICE_KEY}`, 'content-type': type },
        body,
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const form = await introspect(
      new URLSearchParams({ token: tokens.access_token }).toString(),
      'application/x-www-form-urlencoded',
    );
    expect(form.status).toBe(200);
    expect(form).toMatchObject({
      body: {
        active: true,
        sub: user.uuid,
        iss: JWT_ISSUER,
        aud: 'api',
        token_type: 'access_token',
      },
    });
    expect((await introspect(JSON.stringify({ token: 'garbage' }), 'application/json')).body).toEqual({
      active: false,
    });
    expect(
      (await introspect(JSON.stringify({ token: tokens.refresh_token }), 'application/json')).body,
    ).toEqual({ active: false });
    expect((await introspect(JSON.stringify({}), 'application/json')).status).toBe(400);
    await kc.signOut(tokens.access_token);
    expect(
      (await introspect(JSON.stringify({ token: tokens.access_token }), 'application/json')).body,
    ).toEqual({ active: false });
  });
});

describe('middleware', () => {
  async function serve(server: Server): Promise<string> {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  }

  it('guards node:http, Express-style and Fastify routes alike', async () => {
    const verifier = verifierFor();
    await verifier.ready();
    const { tokens, user } = await kc.register();
    const authenticate = nodeHttpAuthenticator(verifier);
    const plain = createServer((req, res) => {
      void authenticate(req, res).then((claims) => claims && res.end(claims.sub));
    });
    const express = expressVerifier(verifier);
    const expressLike = createServer((req, res) =>
      express(req, res, () => res.end((req as { claims?: { sub: string } }).claims?.sub)),
    );
    const fastify = Fastify();
    fastify.addHook('preHandler', fastifyVerifier(verifier));
    fastify.get('/', (request) => (request as unknown as { claims: { sub: string } }).claims.sub);
    await fastify.listen({ host: '127.0.0.1', port: 0 });
    const fastifyAddress = fastify.server.address();
    const urls = [
      await serve(plain),
      await serve(expressLike),
      `http://127.0.0.1:${typeof fastifyAddress === 'object' && fastifyAddress !== null ? fastifyAddress.port : 0}`,
    ];
    try {
      for (const url of urls) {
        const ok = await fetch(url, { headers: { authorization: `Bearer ${tokens.access_token}` } });
        expect(await ok.text()).toBe(user.uuid);
        const missing = await fetch(url);
        expect(missing.status).toBe(401);
        expect(missing.headers.get('www-authenticate')).toBe('Bearer');
        const bad = await fetch(url, { headers: { authorization: `Bearer ${tokens.access_token}x` } });
        expect(bad.status).toBe(401);
        expect(await bad.json()).toEqual({ error: { code: 'token_signature_invalid' } });
      }
    } finally {
      plain.close();
      expressLike.close();
      await fastify.close();
    }
  });
});
