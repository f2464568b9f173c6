import { describe, expect, it } from 'vitest';
import { signJwt } from '../../src/tokens/sign-jwt.js';
import { generateSigningKey, publicJwkOf, type SigningKey } from '../../src/tokens/signing-key.js';
import { createVerifier, type RevocationFeed, type VerifierOptions } from '../../src/verify/index.js';
import type { RevocationMessage } from '../../src/verify/revocation-message.js';
import { accessClaims, NOW } from '../support/jwt-fixtures.js';

/** A feed the test speaks through: listening from the start, every message handed over at once. */
function testFeed(): RevocationFeed & { send(message: RevocationMessage): void } {
  let deliver: ((message: RevocationMessage) => void) | undefined;
  return {
    start(onMessage) {
      deliver = onMessage;
      onMessage({ kind: 'snapshot', sessions: [], stamps: [], complete: true, at: NOW });
    },
    listeningSince: () => NOW,
    stop: () => Promise.resolve(),
    send: (message) => deliver?.(message),
  };
}

/** A verifier whose JWKS is `published` (read on every fetch), with its clock at `clock.now`. */
function verifierOf(published: SigningKey[], options: Partial<VerifierOptions> = {}) {
  const clock = { now: NOW };
  let fetches = 0;
  const feed = testFeed();
  const verifier = createVerifier({
    issuer: 'https://auth.example',
    audience: 'api',
    jwksUrl: 'http://127.0.0.1/jwks',
    feed,
    now: () => clock.now,
    fetch: () => {
      fetches += 1;
      return Promise.resolve(Response.json({ keys: published.map((key) => publicJwkOf(key)) }));
    },
    ...options,
  });
  return { verifier, clock, feed, fetches: () => fetches };
}

describe('keycard/verify remembers tokens it verified', () => {
  const key = generateSigningKey('EdDSA', NOW);
  const token = signJwt(key, 'at+jwt', accessClaims());

  it('hands a token seen before the same frozen claims, and never a tampered copy', async () => {
    const { verifier } = verifierOf([key]);
    await verifier.ready();
    const first = await verifier.verify(token);
    const again = await verifier.verify(token);
    if (!first.ok || !again.ok) throw new Error('the token was refused');
    expect(again.claims).toBe(first.claims);
    expect(Object.isFrozen(first.claims)).toBe(true);
    const [header = '', payload = '', signature = ''] = token.split('.');
    const tampered = Buffer.from(JSON.stringify({ ...first.claims, sub: 'admin' })).toString('base64url');
    expect(await verifier.verify(`${header}.${tampered}.${signature}`)).toMatchObject({
      ok: false,
      code: 'token_signature_invalid',
    });
    expect(await verifier.verify(`${header}.${payload}.${signature}`)).toEqual(first);
  });

  it('still refuses a remembered token once its session ends or a stamp makes it stale', async () => {
    const { verifier, feed } = verifierOf([key]);
    await verifier.ready();
    expect((await verifier.verify(token)).ok).toBe(true);
    feed.send({ kind: 'ended', sessions: ['session-1'], at: NOW + 1 });
    expect(await verifier.verify(token)).toMatchObject({ ok: false, code: 'token_revoked' });

    const other = signJwt(key, 'at+jwt', accessClaims({ sid: 'session-2', jti: 'other' }));
    expect((await verifier.verify(other)).ok).toBe(true);
    feed.send({ kind: 'stamp', scope: 'user', id: 'user-1', validAfter: NOW + 1, at: NOW + 1 });
    expect(await verifier.verify(other)).toMatchObject({ ok: false, code: 'claims_stale' });
  });

  it('checks the times of a remembered token on every call', async () => {
    const { verifier, clock } = verifierOf([key]);
    await verifier.ready();
    expect((await verifier.verify(token)).ok).toBe(true);
    clock.now = NOW + (900 + 30) * 1000;
    expect(await verifier.verify(token)).toMatchObject({ ok: false, code: 'token_expired' });
  });

  it('refuses a remembered token once its key has left the JWKS', async () => {
    const published = [key];
    const { verifier, clock, fetches } = verifierOf(published);
    await verifier.ready();
    expect((await verifier.verify(token)).ok).toBe(true);
    // The key is withdrawn and a new one published; the next unknown kid (past the 30 s limit) refetches.
    published.splice(0, 1, generateSigningKey('EdDSA', NOW));
    clock.now = NOW + 31_000;
    const fetchesBefore = fetches();
    const newToken = signJwt(
      published[0] as SigningKey,
      'at+jwt',
      accessClaims({ iat: (NOW + 31_000) / 1000 }),
    );
    expect((await verifier.verify(newToken)).ok).toBe(true);
    expect(fetches()).toBe(fetchesBefore + 1);
    expect(await verifier.verify(token)).toMatchObject({ ok: false, code: 'token_key_unknown' });
  });

  it('checks every signature with rememberedTokens: 0, and refuses a count that is not a whole number', async () => {
    const { verifier } = verifierOf([key], { rememberedTokens: 0 });
    await verifier.ready();
    const first = await verifier.verify(token);
    const again = await verifier.verify(token);
    if (!first.ok || !again.ok) throw new Error('the token was refused');
    expect(again.claims).not.toBe(first.claims);
    expect(again.claims).toEqual(first.claims);
    expect(Object.isFrozen(first.claims)).toBe(false);
    for (const rememberedTokens of [-1, 1.5, Number.NaN]) {
      expect(() => verifierOf([key], { rememberedTokens })).toThrow(TypeError);
    }
  });
});
