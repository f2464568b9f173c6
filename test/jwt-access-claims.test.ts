import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/http/app.js';
import { createKeycard } from '../src/keycard.js';
import {
  bearer,
  errorOf,
  PASSWORD,
  registerUser,
  signInUser,
  type SignedInJson,
  testOptions,
  type TokensJson,
  useTestKeycard,
  refreshTokens,
} from './support/test-keycard.js';

const jwt = { format: 'jwt' as const, issuer: 'https://auth.example', audiences: ['api'] };
const t = useTestKeycard({ jwt });
const ELEVATION_MS = 600_000;

interface MeJson {
  roles: string[];
  permissions: string[];
  elevated_until: string | null;
}

function claimsOf(token: string): Record<string, unknown> {
  const [, payload = ''] = token.split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function me(accessToken: string) {
  return t.app.inject({ method: 'GET', url: '/me', headers: bearer(accessToken) });
}

async function elevate(accessToken: string): Promise<number> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/session/elevate',
    headers: bearer(accessToken),
    payload: { password: PASSWORD },
  });
  expect(response.statusCode).toBe(200);
  return Date.parse(response.json<{ elevated_until: string }>().elevated_until);
}

/** An editor (notes:write through the role) who also holds notes:write and notes:read directly. */
async function editor(user: SignedInJson): Promise<void> {
  const { access } = t.keycard.admin;
  for (const name of ['notes:write', 'notes:read']) {
    await access.createPermission(name).catch(() => undefined);
    await access.setUserPermission(user.user.uuid, name, true);
  }
  await access.createRole('editor').catch(() => undefined);
  await access.setRolePermission('editor', 'notes:write', true);
  await access.setUserRole(user.user.uuid, 'editor', true);
}

describe('JWT access tokens carry roles, permissions and elevation', () => {
  it('roles and effective permissions, sorted and each once; none: no claim; the same as GET /me shows', async () => {
    const alice = await registerUser(t.app);
    const fresh = claimsOf(alice.tokens.access_token);
    expect(['roles', 'perms', 'elv'].filter((claim) => claim in fresh)).toEqual([]);

    t.clock.advance(1000);
    await editor(alice);
    expect(errorOf(await me(alice.tokens.access_token)).code).toBe('claims_stale');
    const tokens = await refreshTokens(t.app, alice.tokens);
    const claims = claimsOf(tokens.access_token);
    expect(claims.roles).toEqual(['editor']);
    expect(claims.perms).toEqual(['notes:read', 'notes:write']);
    const body = (await me(tokens.access_token)).json<MeJson>();
    expect([body.roles, body.permissions]).toEqual([claims.roles, claims.perms]);

    // An opaque-token Keycard on the same store shows the same through GET /me.
    const opaque = createKeycard({ store: t.store, clock: t.clock }, testOptions);
    const opaqueApp = await buildApp(opaque);
    try {
      const signedIn = await opaqueApp.inject({
        method: 'POST',
        url: '/auth/sign_in',
        payload: { email: alice.user.email, password: PASSWORD },
      });
      const opaqueToken = signedIn.json<SignedInJson>().tokens.access_token;
      expect(opaqueToken.startsWith('eyJ')).toBe(false);
      const opaqueMe = await opaqueApp.inject({ method: 'GET', url: '/me', headers: bearer(opaqueToken) });
      expect(opaqueMe.json<MeJson>()).toMatchObject({ roles: body.roles, permissions: body.permissions });
    } finally {
      await opaqueApp.close();
      await opaque.close();
    }
  });

  it('a change a millisecond after a token was issued makes it stale; a token issued a millisecond after a change is not', async () => {
    const bob = await registerUser(t.app);
    await editor(bob);
    t.clock.advance(1000);
    const tokens = await refreshTokens(t.app, bob.tokens);
    expect((await me(tokens.access_token)).statusCode).toBe(200);

    t.clock.advance(1); // the same second
    await t.keycard.admin.access.setUserPermission(bob.user.uuid, 'notes:read', false);
    expect(errorOf(await me(tokens.access_token)).code).toBe('claims_stale');
    const after = await refreshTokens(t.app, tokens); // the very millisecond of the change
    expect(claimsOf(after.access_token).perms).toEqual(['notes:write']);
    expect((await me(after.access_token)).statusCode).toBe(200);
    t.clock.advance(1);
    expect((await me(after.access_token)).statusCode).toBe(200);
  });

  it('a node that has not heard of a change yet still mints tokens with it: the claims are read from the store', async () => {
    const carol = await registerUser(t.app);
    const nodeB = createKeycard({ store: t.store, clock: t.clock }, { ...testOptions, jwt });
    const appB = await buildApp(nodeB);
    try {
      // Node B holds Carol's (empty) access in memory, and hears of nothing (no feed, no poll).
      expect(
        (await appB.inject({ method: 'GET', url: '/me', headers: bearer(carol.tokens.access_token) }))
          .statusCode,
      ).toBe(200);
      t.clock.advance(1000);
      await editor(carol); // on node A
      const response = await appB.inject({
        method: 'POST',
        url: '/session/refresh',
        payload: { refresh_token: carol.tokens.refresh_token },
      });
      expect(response.statusCode).toBe(200);
      const claims = claimsOf(response.json<{ tokens: TokensJson }>().tokens.access_token);
      expect([claims.roles, claims.perms]).toEqual([['editor'], ['notes:read', 'notes:write']]);
    } finally {
      await appB.close();
      await nodeB.close();
    }
  });

  it('elv: until when the session is elevated, from the refresh after elevating; not past the elevation; not extended', async () => {
    const dave = await registerUser(t.app);
    const until = await elevate(dave.tokens.access_token);
    // The token minted before says nothing of it (Keycard's own checks read the session).
    expect(claimsOf(dave.tokens.access_token).elv).toBeUndefined();
    t.clock.advance(1000);
    const elevated = await refreshTokens(t.app, dave.tokens);
    expect(claimsOf(elevated.access_token).elv).toBe(Math.floor(until / 1000));
    expect((await me(elevated.access_token)).json<MeJson>().elevated_until).toBe(
      new Date(until).toISOString(),
    );

    t.clock.advance(ELEVATION_MS / 2);
    const later = await refreshTokens(t.app, elevated);
    expect(claimsOf(later.access_token).elv).toBe(Math.floor(until / 1000));
    t.clock.advance(ELEVATION_MS / 2);
    const lapsed = await refreshTokens(t.app, later);
    expect(claimsOf(lapsed.access_token).elv).toBeUndefined();
  });

  it('depermify reaches JWTs: the session’s tokens claiming elevation get claims_stale, its others and other sessions’ do not', async () => {
    const erin = await registerUser(t.app);
    const phone = await signInUser(t.app, erin.user.email);
    await elevate(erin.tokens.access_token);
    t.clock.advance(1000);
    const elevated = await refreshTokens(t.app, erin.tokens);
    expect(claimsOf(elevated.access_token).elv).toEqual(expect.any(Number));

    t.clock.advance(1); // in the same second as the elevated token was issued
    const dropped = await t.app.inject({
      method: 'DELETE',
      url: '/session/elevate',
      headers: bearer(elevated.access_token),
    });
    expect(dropped.statusCode).toBe(204);
    expect(errorOf(await me(elevated.access_token)).code).toBe('claims_stale');
    // The session's token from before the elevation never claimed it; a JWT is not superseded by a refresh.
    expect((await me(erin.tokens.access_token)).statusCode).toBe(200);
    expect((await me(phone.tokens.access_token)).statusCode).toBe(200);
    // The refresh right after (same millisecond) gets a token without elv, which passes.
    const plain = await refreshTokens(t.app, elevated);
    expect(claimsOf(plain.access_token).elv).toBeUndefined();
    expect((await me(plain.access_token)).json<MeJson>().elevated_until).toBeNull();

    // Elevated again: new tokens claim it and pass; the stamp of the earlier drop does not reach them.
    t.clock.advance(1);
    await elevate(plain.access_token);
    const again = await refreshTokens(t.app, plain);
    expect(claimsOf(again.access_token).elv).toEqual(expect.any(Number));
    expect((await me(again.access_token)).statusCode).toBe(200);
  });
});
