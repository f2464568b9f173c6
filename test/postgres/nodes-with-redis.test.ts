import { afterEach, describe, expect, it } from 'vitest';
import {
  type ClusterNode,
  sharedBackends,
  startClusterNode,
  TEST_REDIS_URL,
  within,
} from '../support/cluster-node.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { bearer, errorCodeOf, PASSWORD, type SignedInJson, uniqueEmail } from '../support/test-keycard.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function twoNodes(
  redisUrlOf: (node: 'a' | 'b') => string | undefined,
): Promise<[ClusterNode, ClusterNode]> {
  const backends = sharedBackends();
  cleanups.push(() => backends.drop());
  const nodes: ClusterNode[] = [];
  for (const name of ['a', 'b'] as const) {
    const redisUrl = redisUrlOf(name);
    const node = await startClusterNode(backends, redisUrl === undefined ? {} : { redisUrl });
    cleanups.push(() => node.close());
    nodes.push(node);
  }
  return nodes as [ClusterNode, ClusterNode];
}

async function signUp(node: ClusterNode): Promise<SignedInJson> {
  const response = await node.app.inject({
    method: 'POST',
    url: '/auth',
    payload: { email: uniqueEmail(), password: PASSWORD },
  });
  expect(response.statusCode).toBe(201);
  return response.json<SignedInJson>();
}

async function meStatus(node: ClusterNode, accessToken: string): Promise<number> {
  return (await node.app.inject({ method: 'GET', url: '/me', headers: bearer(accessToken) })).statusCode;
}

describe('several nodes sharing PostgreSQL and Redis', () => {
  it('a sign-out on one node is refused on the other within milliseconds', async () => {
    const [a, b] = await twoNodes(() => TEST_REDIS_URL);
    const { tokens } = await signUp(a);
    expect(await meStatus(b, tokens.access_token)).toBe(200); // b now caches the session
    expect(await meStatus(b, tokens.access_token)).toBe(200);

    const signOut = await a.app.inject({
      method: 'POST',
      url: '/auth/sign_out',
      headers: bearer(tokens.access_token),
    });
    expect(signOut.statusCode).toBe(204);
    const elapsed = await within(1000, async () => (await meStatus(b, tokens.access_token)) === 401);
    expect(elapsed).toBeLessThan(200);
    const refused = await b.app.inject({ method: 'GET', url: '/me', headers: bearer(tokens.access_token) });
    expect(refused.json()).toMatchObject({ error: { code: 'session_revoked', reason: 'sign_out' } });
  });

  it('an anonymous session is shared by the nodes, and its upgrade on one is refused on the other at once', async () => {
    const [a, b] = await twoNodes(() => TEST_REDIS_URL);
    const started = await a.app.inject({ method: 'POST', url: '/auth/anonymous' });
    const { session, tokens } = started.json<{
      session: { anonymous_id: string };
      tokens: { access_token: string };
    }>();
    // b reads it (the shared cache, else the store), then answers from its own cache.
    for (let request = 0; request < 2; request += 1) {
      const me = await b.app.inject({ method: 'GET', url: '/me', headers: bearer(tokens.access_token) });
      expect(me.json()).toMatchObject({ user: null, session: { anonymous_id: session.anonymous_id } });
    }

    const registered = await a.app.inject({
      method: 'POST',
      url: '/auth',
      headers: bearer(tokens.access_token),
      payload: { email: uniqueEmail(), password: PASSWORD },
    });
    expect(registered.json<{ session: { anonymous_id: string } }>().session.anonymous_id).toBe(
      session.anonymous_id,
    );
    const elapsed = await within(1000, async () => (await meStatus(b, tokens.access_token)) === 401);
    expect(elapsed).toBeLessThan(200);
    const refused = await b.app.inject({ method: 'GET', url: '/me', headers: bearer(tokens.access_token) });
    expect(refused.json()).toMatchObject({ error: { code: 'session_revoked', reason: 'upgraded' } });
  });

  it('a stamp bumped on one node refuses the old token on the other within milliseconds (the feed)', async () => {
    const [a, b] = await twoNodes(() => TEST_REDIS_URL);
    const signed = await signUp(a);
    expect(await meStatus(b, signed.tokens.access_token)).toBe(200);
    expect(await meStatus(b, signed.tokens.access_token)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 5)); // the bump must land after the token's millisecond

    await a.keycard.admin.bumpStamp('user', signed.user.uuid);
    const elapsed = await within(1000, async () => (await meStatus(b, signed.tokens.access_token)) === 401);
    expect(elapsed).toBeLessThan(200);
    const refused = await b.app.inject({
      method: 'GET',
      url: '/me',
      headers: bearer(signed.tokens.access_token),
    });
    expect(errorCodeOf(refused)).toBe('claims_stale');
  });

  it('a refresh on one node retires the old access token on the other and its successor works there', async () => {
    const [a, b] = await twoNodes(() => TEST_REDIS_URL);
    const { tokens } = await signUp(a);
    expect(await meStatus(b, tokens.access_token)).toBe(200);
    const refreshed = await a.app.inject({
      method: 'POST',
      url: '/session/refresh',
      payload: { refresh_token: tokens.refresh_token },
    });
    const next = refreshed.json<SignedInJson>().tokens;
    await within(1000, async () => (await meStatus(b, tokens.access_token)) === 401);
    expect(await meStatus(b, next.access_token)).toBe(200);
  });

  it('with the feed down, a node trusts its cache for at most the bound, then asks the database', async () => {
    const redis = new URL(TEST_REDIS_URL);
    const proxy = new TcpProxy(Number(redis.port || 6379));
    await proxy.start();
    cleanups.push(() => proxy.close());
    const viaProxy = `redis://127.0.0.1:${proxy.port}`;
    const [a, b] = await twoNodes((node) => (node === 'b' ? viaProxy : TEST_REDIS_URL));
    const { tokens } = await signUp(a);
    expect(await meStatus(b, tokens.access_token)).toBe(200);

    await proxy.cut(); // b hears nothing from now on
    await a.app.inject({ method: 'POST', url: '/auth/sign_out', headers: bearer(tokens.access_token) });
    const refusedAfter = await within(3000, async () => (await meStatus(b, tokens.access_token)) === 401);
    expect(refusedAfter).toBeLessThan(1500); // the 1 s bound, plus scheduling
    // Meanwhile b keeps serving other sessions from the database.
    const other = await signUp(a);
    expect(await meStatus(b, other.tokens.access_token)).toBe(200);

    await proxy.restore();
    // Once b has resubscribed, the feed again carries a change within milliseconds, for an entry b trusts.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const later = await signUp(a);
    expect(await meStatus(b, later.tokens.access_token)).toBe(200);
    await a.app.inject({ method: 'POST', url: '/auth/sign_out', headers: bearer(later.tokens.access_token) });
    const heard = await within(1000, async () => (await meStatus(b, later.tokens.access_token)) === 401);
    expect(heard).toBeLessThan(200);
  });
});

describe('several nodes sharing PostgreSQL without Redis', () => {
  it('a node learns of another’s revocation by polling the database', async () => {
    const [a, b] = await twoNodes(() => undefined);
    const { tokens } = await signUp(a);
    expect(await meStatus(b, tokens.access_token)).toBe(200);
    const since = Date.now() - 5000;
    await a.app.inject({ method: 'POST', url: '/auth/sign_out', headers: bearer(tokens.access_token) });
    // Unbounded trust and no feed: b still answers from its cache until it polls.
    expect(await meStatus(b, tokens.access_token)).toBe(200);
    await b.keycard.pollChanges(since);
    const refused = await b.app.inject({ method: 'GET', url: '/me', headers: bearer(tokens.access_token) });
    expect(errorCodeOf(refused)).toBe('session_revoked');
  });
});
