/**
 * Run by test/unit/hidden-classes.test.ts under `node --log-maps`: drives a Keycard (SQLite in memory, audit log
 * on) through its HTTP app, then does it again between two markers, so the test can read which hidden classes
 * (V8 maps) the second pass built. A steady request path builds none; a `{ ...object, newKey }` builds one
 * detached map per call (logged with the reason "prototype").
 * Modes: `keycard` (the requests), `spread` (a loop of spreads with a key added: the control, which must build
 * maps, or the test could not fail).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { createKeycard } from '../../src/keycard.js';
import { openStore } from '../../src/store/open-store.js';
import { PASSWORD, testOptions } from './test-options.js';

const mode = process.argv[2];
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0';
const HOST = 'keycard.test';
const ORIGIN = `http://${HOST}`;

function expectStatus(response: LightMyRequestResponse, status: number): LightMyRequestResponse {
  if (response.statusCode !== status) {
    throw new Error(`${response.statusCode} instead of ${status}: ${response.body.slice(0, 200)}`);
  }
  return response;
}

/**
 * Sign-in, /me, refresh, the session list and sign-out by bearer token; sign-in and sign-out by cookie. Every
 * header object is a literal of its own (a spread here would build maps in this file, not in Keycard).
 */
async function requests(app: FastifyInstance, email: string): Promise<void> {
  const signedIn = expectStatus(
    await app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      headers: { 'user-agent': USER_AGENT },
      payload: { email, password: PASSWORD },
    }),
    200,
  ).json<{ tokens: { access_token: string; refresh_token: string } }>();
  const bearer = { 'user-agent': USER_AGENT, authorization: `Bearer ${signedIn.tokens.access_token}` };
  expectStatus(await app.inject({ method: 'GET', url: '/me', headers: bearer }), 200);
  const refreshed = expectStatus(
    await app.inject({
      method: 'POST',
      url: '/session/refresh',
      headers: { 'user-agent': USER_AGENT },
      payload: { refresh_token: signedIn.tokens.refresh_token },
    }),
    200,
  ).json<{ tokens: { access_token: string } }>();
  const fresh = { 'user-agent': USER_AGENT, authorization: `Bearer ${refreshed.tokens.access_token}` };
  expectStatus(await app.inject({ method: 'GET', url: '/sessions', headers: fresh }), 200);
  expectStatus(await app.inject({ method: 'POST', url: '/auth/sign_out', headers: fresh }), 204);
  const byCookie = expectStatus(
    await app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      headers: { host: HOST, origin: ORIGIN, 'x-keycard-csrf': '1', 'x-keycard-transport': 'cookie' },
      payload: { email, password: PASSWORD },
    }),
    200,
  );
  const cookie = ([] as string[])
    .concat(byCookie.headers['set-cookie'] ?? [])
    .map((line) => line.split(';')[0])
    .join('; ');
  expectStatus(
    await app.inject({
      method: 'POST',
      url: '/auth/sign_out',
      headers: { host: HOST, origin: ORIGIN, 'x-keycard-csrf': '1', cookie },
    }),
    204,
  );
}

async function keycardPasses(rounds: number, pass: () => Promise<void>): Promise<void> {
  for (let round = 0; round < rounds; round += 1) await pass();
}

const marks: { keycardHiddenClassesFrom?: number; keycardHiddenClassesTo?: number } = {};

if (mode === 'keycard') {
  const store = await openStore('sqlite::memory:');
  const keycard = createKeycard({ store, auditLog: store }, testOptions);
  const app = await buildApp(keycard);
  const email = 'hidden-classes@example.com';
  expectStatus(
    await app.inject({ method: 'POST', url: '/auth', payload: { email, password: PASSWORD } }),
    201,
  );
  await keycardPasses(15, () => requests(app, email));
  marks.keycardHiddenClassesFrom = 1;
  await keycardPasses(15, () => requests(app, email));
  marks.keycardHiddenClassesTo = 1;
  await app.close();
  await keycard.close();
} else if (mode === 'spread') {
  const source = { a: 1, b: 2 };
  const made: object[] = [];
  const spreadWithKey = (index: number) => ({ ...source, c: index });
  for (let index = 0; index < 15; index += 1) made.push(spreadWithKey(index));
  marks.keycardHiddenClassesFrom = 1;
  for (let index = 0; index < 15; index += 1) made.push(spreadWithKey(index));
  marks.keycardHiddenClassesTo = 1;
} else {
  throw new Error(`unknown mode ${mode ?? ''}`);
}
