import { createServer, type Server } from 'node:http';
import Fastify from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ClaimsGuard,
  createVerifier,
  expressVerifier,
  fastifyVerifier,
  type JwtClaims,
  nodeHttpAuthenticator,
  requireElevated,
  requirePermission,
  requireRole,
  type Verifier,
} from '../src/verify/index.js';
import {
  JWT_ISSUER,
  type ListeningKeycard,
  SERVICE_KEY,
  startListeningKeycard,
} from './support/listening-keycard.js';
import { PASSWORD, type SignedInJson, type TokensJson } from './support/test-keycard.js';

// A service of its own, guarding its routes with keycard/verify and the tokens a running Keycard issues.

let kc: ListeningKeycard;
let verifier: Verifier;
const servers: { close(): Promise<void> }[] = [];

beforeEach(async () => {
  kc = await startListeningKeycard();
  verifier = createVerifier({
    issuer: JWT_ISSUER,
    audience: 'api',
    jwksUrl: `${kc.url}/.well-known/jwks.json`,
    feed: { sse: { url: `${kc.url}/events/revocations`, serviceKey: SERVICE_KEY } },
  });
  await verifier.ready();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await verifier.close();
  await kc.close();
});

/** The routes of the service: which guard each path has. */
const guards: Record<string, ClaimsGuard> = {
  '/notes': requirePermission('notes:write'),
  '/admin': requirePermission('keycard:admin'),
  '/editors': requireRole('editor'),
  '/sensitive': requireElevated(),
};

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => new Promise((resolve) => server.close(() => resolve())) });
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
}

/** The same service three ways: plain node:http, Express-style middleware, and Fastify. */
async function services(): Promise<Record<string, string>> {
  const authenticate = nodeHttpAuthenticator(verifier);
  const plain = createServer((request, response) => {
    void authenticate(request, response).then((claims) => {
      if (claims === undefined) return;
      if (guards[request.url ?? '']?.nodeHttp(claims, response) === true) response.end('ok');
    });
  });
  const verify = expressVerifier(verifier);
  const expressLike = createServer((request, response) =>
    verify(request, response, () => {
      guards[request.url ?? '']?.express(request, response, () => response.end('ok'));
    }),
  );
  const fastify = Fastify();
  fastify.addHook('preHandler', fastifyVerifier(verifier));
  for (const [path, guard] of Object.entries(guards)) {
    fastify.get(path, { preHandler: guard.fastify }, () => 'ok');
  }
  await fastify.listen({ host: '127.0.0.1', port: 0 });
  servers.push({ close: () => fastify.close() });
  const address = fastify.server.address();
  return {
    'node:http': await listen(plain),
    express: await listen(expressLike),
    fastify: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`,
  };
}

async function keycardCall(method: string, path: string, accessToken: string, body?: object) {
  return fetch(`${kc.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${accessToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function refreshed(tokens: TokensJson): Promise<TokensJson> {
  const response = await fetch(`${kc.url}/session/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: tokens.refresh_token }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { tokens: TokensJson }).tokens;
}

/** What each service answers on `path` with `token`: status and JSON error (or the body). */
async function answers(urls: Record<string, string>, path: string, token: string) {
  const result: Record<string, [number, unknown]> = {};
  for (const [name, url] of Object.entries(urls)) {
    const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    result[name] = [response.status, response.ok ? text : (JSON.parse(text) as unknown)];
  }
  return result;
}

const everywhere = (status: number, body: unknown) => ({
  'node:http': [status, body],
  express: [status, body],
  fastify: [status, body],
});

/** Waits (bounded) until the verifier refuses `token`; returns with which code. */
async function refusedByVerifier(token: string): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const result = await verifier.verify(token);
    if (!result.ok) return result.code;
    if (Date.now() > deadline) throw new Error('the verifier still accepts the token');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('keycard/verify guards: requirePermission, requireRole, requireElevated', () => {
  it('pass or refuse on what Keycard’s tokens say, with Keycard’s 403s, on node:http, Express and Fastify alike', async () => {
    const urls = await services();
    const alice: SignedInJson = await kc.register();
    const { access } = kc.keycard.admin;
    await access.createPermission('notes:write');
    await access.createRole('editor');
    await access.setRolePermission('editor', 'notes:write', true);
    await access.setUserRole(alice.user.uuid, 'editor', true);

    // The token from before the change is stale for the service too; the refreshed one carries the role.
    expect(await refusedByVerifier(alice.tokens.access_token)).toBe('claims_stale');
    const editor = await refreshed(alice.tokens);
    expect(await answers(urls, '/notes', editor.access_token)).toEqual(everywhere(200, 'ok'));
    expect(await answers(urls, '/editors', editor.access_token)).toEqual(everywhere(200, 'ok'));
    expect(await answers(urls, '/admin', editor.access_token)).toEqual(
      everywhere(403, {
        error: {
          code: 'permission_denied',
          message: 'The caller lacks the permission this needs.',
          permission: 'keycard:admin',
        },
      }),
    );
    const notElevated = {
      error: {
        code: 'elevation_required',
        message: 'This needs an elevated session: confirm your password at POST /session/elevate.',
      },
    };
    expect(await answers(urls, '/sensitive', editor.access_token)).toEqual(everywhere(403, notElevated));

    const bob = await kc.register();
    expect((await answers(urls, '/editors', bob.tokens.access_token)).fastify).toEqual([
      403,
      { error: expect.objectContaining({ code: 'permission_denied', permission: 'role:editor' }) as unknown },
    ]);
    expect((await answers(urls, '/notes', bob.tokens.access_token))['node:http']).toEqual([
      403,
      { error: expect.objectContaining({ permission: 'notes:write' }) as unknown },
    ]);
    // No token at all: the verifier's 401 comes first.
    expect((await fetch(`${urls.express ?? ''}/notes`)).status).toBe(401);

    // Taking the role away: the service refuses the old token as stale; the next token is denied.
    await access.setUserRole(alice.user.uuid, 'editor', false);
    expect(await refusedByVerifier(editor.access_token)).toBe('claims_stale');
    const plain = await refreshed(editor);
    expect((await answers(urls, '/notes', plain.access_token)).express?.[0]).toBe(403);
  });

  it('requireElevated: after a step-up and a refresh; depermify reaches the service at once; never past elv', async () => {
    const urls = await services();
    const carol = await kc.register();
    const elevate = await keycardCall('POST', '/session/elevate', carol.tokens.access_token, {
      password: PASSWORD,
    });
    expect(elevate.status).toBe(200);
    // The token minted before the step-up does not claim it; the refreshed one does.
    expect((await answers(urls, '/sensitive', carol.tokens.access_token)).fastify?.[0]).toBe(403);
    const elevated = await refreshed(carol.tokens);
    expect(await answers(urls, '/sensitive', elevated.access_token)).toEqual(everywhere(200, 'ok'));

    const dropped = await keycardCall('DELETE', '/session/elevate', elevated.access_token);
    expect(dropped.status).toBe(204);
    const droppedAt = performance.now();
    expect(await refusedByVerifier(elevated.access_token)).toBe('claims_stale');
    expect(performance.now() - droppedAt).toBeLessThan(1000);
    // The session's token from before the step-up never claimed it: the service still takes it.
    expect((await verifier.verify(carol.tokens.access_token)).ok).toBe(true);
    const after = await refreshed(elevated);
    expect((await verifier.verify(after.access_token)).ok).toBe(true);
    expect((await answers(urls, '/sensitive', after.access_token)).express?.[0]).toBe(403);

    // A token claiming an elevation that has ended by the service's clock is not elevated.
    const result = await verifier.verify(after.access_token);
    const claims = result.ok ? result.claims : undefined;
    const elv = Math.floor(Date.now() / 1000) + 60;
    const stillElevated: JwtClaims | undefined = claims === undefined ? undefined : { ...claims, elv };
    expect(requireElevated().check(stillElevated)).toBeUndefined();
    expect(requireElevated({ now: () => (elv + 1) * 1000 }).check(stillElevated)).toMatchObject({
      status: 403,
      code: 'elevation_required',
    });
    expect(requirePermission('notes:write').check(undefined)).toMatchObject({
      status: 401,
      code: 'token_missing',
    });
  });
});
