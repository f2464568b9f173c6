import { describe, expect, it } from 'vitest';
import { createKeycard } from '../src/keycard.js';
import {
  bearer,
  errorOf,
  registerUser,
  signInUser,
  testOptions,
  type TokensJson,
  useTestKeycard,
} from './support/test-keycard.js';

const t = useTestKeycard();

function me(accessToken: string) {
  return t.app.inject({ method: 'GET', url: '/me', headers: bearer(accessToken) });
}

async function refresh(refreshToken: string): Promise<TokensJson> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/session/refresh',
    payload: { refresh_token: refreshToken },
  });
  expect(response.statusCode).toBe(200);
  return response.json<{ tokens: TokensJson }>().tokens;
}

describe('claims stamps ("claims valid after")', () => {
  it('a user stamp refuses every token of that user issued before it with claims_stale; a refresh passes', async () => {
    const alice = await registerUser(t.app);
    const phone = await signInUser(t.app, alice.user.email);
    const bob = await registerUser(t.app);
    t.clock.advance(1000);

    await t.keycard.admin.bumpStamp('user', alice.user.uuid);

    for (const session of [alice, phone]) {
      const refused = await me(session.tokens.access_token);
      expect(refused.statusCode).toBe(401);
      expect(errorOf(refused).code).toBe('claims_stale');
      expect(refused.headers['www-authenticate']).toContain('invalid_token');
    }
    expect((await me(bob.tokens.access_token)).statusCode).toBe(200);

    // The session is not ended: a refresh (in the same millisecond as the bump, even) issues tokens that pass.
    const fresh = await refresh(alice.tokens.refresh_token);
    expect((await me(fresh.access_token)).statusCode).toBe(200);
    expect((await me(fresh.access_token)).statusCode).toBe(200); // and again, from the cache
    expect(errorOf(await me(phone.tokens.access_token)).code).toBe('claims_stale');
  });

  it('the global stamp refuses every token issued before it', async () => {
    const alice = await registerUser(t.app);
    const bob = await registerUser(t.app);
    t.clock.advance(5);
    await t.keycard.admin.bumpStamp('global', '');
    expect(errorOf(await me(alice.tokens.access_token)).code).toBe('claims_stale');
    expect(errorOf(await me(bob.tokens.access_token)).code).toBe('claims_stale');
    const later = await signInUser(t.app, bob.user.email);
    expect((await me(later.tokens.access_token)).statusCode).toBe(200);
  });

  it('stamps are stored: a Keycard started later on the same store refuses the old tokens', async () => {
    const alice = await registerUser(t.app);
    t.clock.advance(10);
    await t.keycard.admin.bumpStamp('user', alice.user.uuid);
    const other = createKeycard({ store: t.store, clock: t.clock }, testOptions);
    await expect(other.authenticate(alice.tokens.access_token)).rejects.toMatchObject({
      code: 'claims_stale',
    });
  });

  it('a node that did not hear a bump learns it at its next change poll (bounded staleness without Redis)', async () => {
    const alice = await registerUser(t.app);
    // A second node on the same store, with no feed: it caches the session and trusts it.
    const nodeB = createKeycard({ store: t.store, clock: t.clock }, testOptions);
    await nodeB.loadClaimsStamps();
    const pollFrom = t.clock.now();
    await nodeB.authenticate(alice.tokens.access_token);
    expect(nodeB.authenticateCached(alice.tokens.access_token)).toBeDefined();

    t.clock.advance(1000);
    await t.keycard.admin.bumpStamp('user', alice.user.uuid);
    expect(nodeB.authenticateCached(alice.tokens.access_token)).toBeDefined(); // not heard yet

    await nodeB.pollChanges(pollFrom);
    expect(nodeB.authenticateCached(alice.tokens.access_token)).toBeUndefined();
    await expect(nodeB.authenticate(alice.tokens.access_token)).rejects.toMatchObject({
      code: 'claims_stale',
    });
  });

  it('isClaimsStale, the seam for self-contained tokens: ms and whole-second issue times; fails closed before loading', async () => {
    const fresh = createKeycard({ store: t.store, clock: t.clock }, testOptions);
    expect(fresh.isClaimsStale({ userUuid: 'u', issuedAtMs: t.clock.now() })).toBe(true);
    await fresh.loadClaimsStamps();
    const now = t.clock.now();
    expect(fresh.isClaimsStale({ userUuid: 'u', issuedAtMs: now - 60_000 })).toBe(false);

    t.clock.advance(1500); // the bump lands half-way through a second
    const bumpedAt = t.clock.now();
    await fresh.admin.bumpStamp('user', 'u');
    expect(fresh.isClaimsStale({ userUuid: 'u', issuedAtMs: bumpedAt - 1 })).toBe(true);
    expect(fresh.isClaimsStale({ userUuid: 'u', issuedAtMs: bumpedAt })).toBe(false);
    expect(fresh.isClaimsStale({ userUuid: 'other', issuedAtMs: bumpedAt - 1 })).toBe(false);
    // A JWT iat in whole seconds: the second of the bump passes, the second before does not.
    const iat = Math.floor(bumpedAt / 1000);
    expect(fresh.isClaimsStale({ userUuid: 'u', issuedAtMs: iat * 1000, precisionMs: 1000 })).toBe(false);
    expect(fresh.isClaimsStale({ userUuid: 'u', issuedAtMs: (iat - 1) * 1000, precisionMs: 1000 })).toBe(
      true,
    );

    await fresh.admin.bumpStamp('group', 'fleet-7');
    expect(fresh.isClaimsStale({ userUuid: 'v', groupId: 'fleet-7', issuedAtMs: bumpedAt - 1 })).toBe(true);
    expect(fresh.isClaimsStale({ userUuid: 'v', groupId: 'fleet-8', issuedAtMs: bumpedAt - 1 })).toBe(false);
    expect(fresh.isClaimsStale({ userUuid: 'v', issuedAtMs: bumpedAt - 1 })).toBe(false);
  });

  it('the sweep forgets stamps older than any unexpired token', async () => {
    await t.keycard.admin.bumpStamp('user', 'gone');
    await t.keycard.admin.bumpStamp('global', '');
    t.clock.advance((testOptions.accessTtlSeconds + 61) * 1000);
    await t.keycard.sweep();
    const left = await t.store.listStampsSince(0, 10);
    expect(left.map((stamp) => stamp.scope)).toEqual(['global']);
  });
});
