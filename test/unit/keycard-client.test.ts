import { describe, expect, it } from 'vitest';
import {
  createKeycardClient,
  type CrossTab,
  type CrossTabMessage,
  describeError,
  KeycardClientError,
  type KeycardTokens,
  memoryTokenStore,
} from '../../src/client/index.js';
import { errorRegistry } from '../../src/core/errors.js';

const BASE = 'https://keycard.test';

function tokensOf(generation: number): KeycardTokens {
  return {
    access_token: `access-${generation}`,
    token_type: 'Bearer',
    expires_in: 3600,
    refresh_token: `refresh-${generation}`,
    refresh_expires_in: 86_400,
  };
}

function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

const urlOf = (input: string | URL | Request) => (input instanceof Request ? input.url : input.toString());
const bodyOf = (init: RequestInit | undefined) => (typeof init?.body === 'string' ? init.body : '');

const errorBody = (code: string, reason?: string) => ({
  error: { code, message: code, ...(reason === undefined ? {} : { reason }) },
});

/**
 * A fake Keycard over fetch: one session whose tokens rotate at each refresh. An access token of an older
 * generation is "expired"; `revoke()` ends the session. Bearer mode reads the Authorization header; cookie mode
 * a cookie jar it keeps itself, as a browser would, and insists on the CSRF header.
 */
function fakeKeycard(mode: 'bearer' | 'cookie') {
  let generation = 1;
  let revokedReason: string | undefined;
  let staleClaims = false;
  const calls: string[] = [];
  let refreshes = 0;
  const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(urlOf(input));
    const method = init.method ?? 'GET';
    const headers = new Headers(init.headers);
    calls.push(`${method} ${url.pathname}`);
    // Let concurrent requests interleave as they would over a network.
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (mode === 'cookie') {
      if (init.credentials !== 'include') return json(401, errorBody('token_missing'));
      if (method !== 'GET' && headers.get('x-keycard-csrf') !== '1')
        return json(403, errorBody('csrf_rejected'));
    }
    if (url.pathname === '/session/refresh') {
      refreshes += 1;
      if (revokedReason !== undefined) return json(401, errorBody('session_revoked', revokedReason));
      const body = JSON.parse(bodyOf(init)) as { refresh_token?: string };
      if (mode === 'bearer' && body.refresh_token !== `refresh-${generation}`) {
        return json(401, errorBody('refresh_token_invalid'));
      }
      generation += 1;
      staleClaims = false;
      return json(200, { session: {}, ...(mode === 'bearer' ? { tokens: tokensOf(generation) } : {}) });
    }
    if (url.pathname === '/auth/sign_in') {
      return json(200, { user: { email: 'ada@example.com' }, session: {}, tokens: tokensOf(generation) });
    }
    if (revokedReason !== undefined) return json(401, errorBody('session_revoked', revokedReason));
    if (mode === 'bearer' && headers.get('authorization') !== `Bearer access-${generation}`) {
      return json(401, errorBody(headers.has('authorization') ? 'access_token_expired' : 'token_missing'));
    }
    if (mode === 'cookie' && cookieGeneration !== generation)
      return json(401, errorBody('access_token_expired'));
    if (staleClaims) return json(401, errorBody('claims_stale'));
    if (url.pathname === '/auth/sign_out') {
      revokedReason = 'sign_out';
      return new Response(null, { status: 204 });
    }
    return json(200, { path: url.pathname, generation });
  };
  // Cookie mode: the access cookie the "browser" holds; refreshed cookies land in the jar at once.
  let cookieGeneration = 1;
  return {
    fetch: async (input: string | URL | Request, init?: RequestInit) => {
      const response = await fetch(input, init);
      if (mode === 'cookie' && response.ok) cookieGeneration = generation;
      return response;
    },
    calls,
    get refreshes() {
      return refreshes;
    },
    expireAccess() {
      generation += 1;
      return generation;
    },
    revoke(reason: string) {
      revokedReason = reason;
    },
    staleClaims() {
      staleClaims = true;
    },
  };
}

/** A bearer client holding the tokens of `generation`. */
function bearerClient(server: ReturnType<typeof fakeKeycard>, generation: number) {
  const tokenStore = memoryTokenStore();
  tokenStore.save(tokensOf(generation));
  const client = createKeycardClient({ baseUrl: BASE, fetch: server.fetch, tokenStore });
  return { client, tokenStore };
}

describe('keycard/client: refresh', () => {
  it('refreshes once for 20 concurrent requests that all met access_token_expired, and replays every one', async () => {
    const server = fakeKeycard('bearer');
    const { client, tokenStore } = bearerClient(server, 1);
    // The server moved on: the client's access token is one generation old, its refresh token is current.
    server.expireAccess();
    tokenStore.save({ ...tokensOf(1), refresh_token: 'refresh-2' });

    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) => client.fetch(`/things/${index}`)),
    );
    expect(server.refreshes).toBe(1);
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    const bodies = await Promise.all(
      responses.map((response) => response.json() as Promise<{ path: string }>),
    );
    expect(bodies.map((body) => body.path)).toEqual(
      Array.from({ length: 20 }, (_, index) => `/things/${index}`),
    );
    // Each request went out twice: once with the expired token, once replayed with the new one.
    expect(server.calls.filter((call) => call.startsWith('GET /things/'))).toHaveLength(40);
    expect(tokenStore.load()?.access_token).toBe('access-3');
  });

  it('refreshes on claims_stale as on an expired token', async () => {
    const server = fakeKeycard('bearer');
    const { client } = bearerClient(server, 1);
    server.staleClaims();
    const [first, second] = await Promise.all([client.fetch('/a'), client.fetch('/b')]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(server.refreshes).toBe(1);
  });

  it('replays a request body as it was sent', async () => {
    const server = fakeKeycard('bearer');
    const bodies: string[] = [];
    const { client, tokenStore } = bearerClient(
      {
        ...server,
        fetch: (input, init) => {
          if (urlOf(input).endsWith('/echo')) bodies.push(bodyOf(init));
          return server.fetch(input, init);
        },
      },
      1,
    );
    server.expireAccess();
    tokenStore.save({ ...tokensOf(1), refresh_token: 'refresh-2' });
    const response = await client.fetch('/echo', { method: 'PUT', body: '{"name":"Ada"}' });
    expect(response.status).toBe(200);
    expect(bodies).toEqual(['{"name":"Ada"}', '{"name":"Ada"}']);
  });

  it('refreshes in cookie mode with no token in sight: credentials included, the CSRF header on', async () => {
    const server = fakeKeycard('cookie');
    const client = createKeycardClient({
      baseUrl: BASE,
      fetch: server.fetch,
      transport: 'cookie',
      crossTab: false,
    });
    server.expireAccess();
    const responses = await Promise.all(Array.from({ length: 20 }, () => client.fetch('/me')));
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(server.refreshes).toBe(1);
  });

  it('refreshes once across two tabs sharing the session (cookie mode), through their lock and messages', async () => {
    const server = fakeKeycard('cookie');
    const [tabA, tabB] = linkedTabs();
    const a = createKeycardClient({
      baseUrl: BASE,
      fetch: server.fetch,
      transport: 'cookie',
      crossTab: tabA,
    });
    const b = createKeycardClient({
      baseUrl: BASE,
      fetch: server.fetch,
      transport: 'cookie',
      crossTab: tabB,
    });
    server.expireAccess();
    const responses = await Promise.all([
      ...Array.from({ length: 10 }, () => a.fetch('/me')),
      ...Array.from({ length: 10 }, () => b.fetch('/me')),
    ]);
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(server.refreshes).toBe(1);
  });
});

describe('keycard/client: the end of a session', () => {
  it('signs out cleanly on session_revoked: tokens dropped, listeners told once with the reason, other tabs told', async () => {
    const server = fakeKeycard('bearer');
    const [tab, otherTab] = linkedTabs();
    const tokenStore = memoryTokenStore();
    tokenStore.save(tokensOf(1));
    const client = createKeycardClient({ baseUrl: BASE, fetch: server.fetch, tokenStore, crossTab: tab });
    const told: (KeycardClientError | undefined)[] = [];
    client.onSignedOut((error) => told.push(error));
    const otherTabHeard: CrossTabMessage[] = [];
    otherTab.onMessage((message) => otherTabHeard.push(message));

    server.revoke('revoked');
    const responses = await Promise.all(Array.from({ length: 20 }, () => client.fetch('/things')));
    expect(responses.every((response) => response.status === 401)).toBe(true);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ code: 'session_revoked', reason: 'revoked', status: 401 });
    expect(describeError(told[0])).toBe('You were signed out from another device.');
    expect(tokenStore.load()).toBeUndefined();
    expect(otherTabHeard).toContainEqual({ type: 'signed_out' });

    // The API methods throw the typed error.
    await expect(client.me()).rejects.toBeInstanceOf(KeycardClientError);
  });

  it('signs out when the refresh itself finds the session revoked, and every waiting request fails with it', async () => {
    const server = fakeKeycard('bearer');
    const { client } = bearerClient(server, 1);
    const told: (KeycardClientError | undefined)[] = [];
    client.onSignedOut((error) => told.push(error));
    server.expireAccess();
    server.revoke('refresh_reuse');
    // The request's own answer is the revocation (the fake checks revocation first), so no refresh is tried.
    const response = await client.fetch('/things');
    expect(response.status).toBe(401);
    expect(told.map((error) => error?.reason)).toEqual(['refresh_reuse']);
  });

  it('rejects every request waiting on a refresh that fails, and tells the listeners once', async () => {
    const server = fakeKeycard('bearer');
    const { client, tokenStore } = bearerClient(server, 1);
    const told: (KeycardClientError | undefined)[] = [];
    client.onSignedOut((error) => told.push(error));
    server.expireAccess();
    // A refresh token the server does not know.
    tokenStore.save({ ...tokensOf(1), refresh_token: 'refresh-forged' });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => client.fetch('/things')));
    expect(server.refreshes).toBe(1);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'refresh_token_invalid' });
    }
    expect(told).toHaveLength(1);
  });

  it('in cookie mode, takes token_missing (the browser dropped the cookies) as the end of the session', async () => {
    const server = fakeKeycard('cookie');
    const cookieless = createKeycardClient({
      baseUrl: BASE,
      transport: 'cookie',
      crossTab: false,
      // As a browser whose cookies expired: the fake answers token_missing without credentials.
      fetch: (input, init) => server.fetch(input, { ...init, credentials: 'omit' }),
    });
    const told: (KeycardClientError | undefined)[] = [];
    cookieless.onSignedOut((error) => told.push(error));
    await expect(cookieless.listSessions()).rejects.toMatchObject({ code: 'token_missing' });
    expect(told.map((error) => error?.code)).toEqual(['token_missing']);

    // In Bearer mode it only means no token was given: nothing to end.
    const bearerServer = fakeKeycard('bearer');
    const tokenless = createKeycardClient({ baseUrl: BASE, fetch: bearerServer.fetch });
    const bearerTold: unknown[] = [];
    tokenless.onSignedOut((error) => bearerTold.push(error));
    await expect(tokenless.me()).rejects.toMatchObject({ code: 'token_missing' });
    expect(bearerTold).toEqual([]);
  });

  it('signOut clears local state even when the session had already ended on the server', async () => {
    const server = fakeKeycard('bearer');
    const { client, tokenStore } = bearerClient(server, 1);
    server.revoke('revoked_by_admin');
    await client.signOut();
    expect(tokenStore.load()).toBeUndefined();
  });

  it('signIn keeps the tokens (Bearer) and sends transport: cookie in cookie mode', async () => {
    const server = fakeKeycard('bearer');
    const tokenStore = memoryTokenStore();
    const client = createKeycardClient({ baseUrl: BASE, fetch: server.fetch, tokenStore });
    const signedIn = await client.signIn({ email: 'ada@example.com', password: 'pw' });
    expect(signedIn).not.toHaveProperty('tokens');
    expect(tokenStore.load()?.access_token).toBe('access-1');
    expect((await client.fetch('/things')).status).toBe(200);

    const sent: string[] = [];
    const cookieClient = createKeycardClient({
      baseUrl: BASE,
      transport: 'cookie',
      crossTab: false,
      fetch: (input, init) => {
        sent.push(bodyOf(init));
        return server.fetch(input, init);
      },
    });
    await cookieClient.signIn({ email: 'ada@example.com', password: 'pw', remember: false });
    expect(JSON.parse(sent[0] ?? '')).toEqual({
      email: 'ada@example.com',
      password: 'pw',
      remember: false,
      transport: 'cookie',
    });
  });

  it('turns a failed fetch into network_error and a foreign answer into internal_error', async () => {
    const offline = createKeycardClient({
      baseUrl: BASE,
      fetch: () => Promise.reject(new TypeError('fetch failed')),
    });
    await expect(offline.me()).rejects.toMatchObject({ code: 'network_error', status: 0 });
    const proxy = createKeycardClient({
      baseUrl: BASE,
      fetch: () => Promise.resolve(new Response('<html>Bad gateway</html>', { status: 502 })),
    });
    await expect(proxy.me()).rejects.toMatchObject({ code: 'internal_error', status: 502 });
  });
});

describe('describeError', () => {
  it.each(Object.keys(errorRegistry))('has a sentence of its own for %s', (code) => {
    const sentence = describeError(new KeycardClientError(code as keyof typeof errorRegistry, 'x'));
    expect(sentence).toMatch(/^[A-Z].*\.$/);
    if (code !== 'internal_error') {
      expect(sentence).not.toBe(describeError(new KeycardClientError('internal_error', 'x')));
    }
  });

  it.each([
    ['revoked', 'You were signed out from another device.'],
    ['revoked_others', 'You were signed out from another device.'],
    ['user_disabled', 'Your account has been disabled.'],
  ])('says why a session was revoked (%s)', (reason, sentence) => {
    const error = new KeycardClientError('session_revoked', 'x', { reason: reason as 'revoked' });
    expect(describeError(error)).toBe(sentence);
  });
});

/** Two tabs' coordination: one lock queue and a message bus, delivered at once. */
function linkedTabs(): [CrossTab, CrossTab] {
  let queue: Promise<unknown> = Promise.resolve();
  const listeners: ((message: CrossTabMessage) => void)[][] = [[], []];
  const tab = (index: number): CrossTab => ({
    exclusive<T>(_name: string, task: () => Promise<T>): Promise<T> {
      const run = queue.then(task, task);
      queue = run.catch(() => undefined);
      return run;
    },
    post: (message) => listeners[1 - index]?.forEach((listener) => listener(message)),
    onMessage: (listener) => listeners[index]?.push(listener),
    close: () => undefined,
  });
  return [tab(0), tab(1)];
}
