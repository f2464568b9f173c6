import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { buildApp } from '../../src/http/app.js';
import { createKeycard, type KeycardOptions } from '../../src/keycard.js';
import { createPostgresStore } from '../../src/store/postgres/create-postgres-store.js';
import { bearer, PASSWORD, type SignedInJson, testOptions, uniqueEmail } from '../support/test-keycard.js';
import { dropSchema, TEST_POSTGRES_URL, uniqueSchemaName } from '../support/test-store.js';

// What each operation costs the database, in statements (transactions add BEGIN and COMMIT).
const statements: string[] = [];
const schema = uniqueSchemaName();
let close: () => Promise<void>;
let app: Awaited<ReturnType<typeof buildApp>>;

async function start(options: KeycardOptions): Promise<void> {
  const store = await createPostgresStore({
    connectionString: TEST_POSTGRES_URL,
    schema,
    onQuery: (sql) => statements.push(sql),
  });
  const keycard = createKeycard({ store, clock: new ManualClock() }, options);
  app = await buildApp(keycard);
  close = async () => {
    await app.close();
    await keycard.close();
    await dropSchema(schema);
  };
}
afterEach(async () => {
  await close();
});

async function counted(operation: () => Promise<unknown>): Promise<string[]> {
  statements.length = 0;
  await operation();
  return statements.map((sql) => sql.split(' ').slice(0, 2).join(' '));
}

describe('statements per operation on PostgreSQL', () => {
  it('registration 2 (in a transaction) and the stamps once per process, sign-in 2, refresh 2, authenticated request 0', async () => {
    await start(testOptions);
    const email = uniqueEmail();
    const register = await counted(() =>
      app.inject({ method: 'POST', url: '/auth', payload: { email, password: PASSWORD } }),
    );
    // The claims stamps are read once per process, by the first operation that needs them.
    expect(register).toEqual(['begin', 'insert into', 'insert into', 'commit', 'select *']);

    let signedIn: SignedInJson | undefined;
    const signIn = await counted(async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/auth/sign_in',
        payload: { email, password: PASSWORD },
      });
      signedIn = response.json<SignedInJson>();
    });
    expect(signIn).toEqual(['select *', 'insert into']);
    const tokens = signedIn?.tokens;
    if (tokens === undefined) throw new Error('no tokens');

    let accessToken = '';
    const refresh = await counted(async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/session/refresh',
        payload: { refresh_token: tokens.refresh_token },
      });
      accessToken = response.json<SignedInJson>().tokens.access_token;
    });
    expect(refresh).toEqual(['select "sessions".*,', 'update "sessions"']);

    const me = await counted(async () => {
      for (let request = 0; request < 5; request += 1) {
        const response = await app.inject({ method: 'GET', url: '/me', headers: bearer(accessToken) });
        expect(response.statusCode).toBe(200);
      }
    });
    expect(me).toEqual([]); // the refresh left the new state in the cache
  });

  it('with JWT access tokens, sign-in and refresh also read what the user holds (the claims), requests 0', async () => {
    await start({ ...testOptions, jwt: { format: 'jwt' } });
    const email = uniqueEmail();
    await app.inject({ method: 'POST', url: '/auth', payload: { email, password: PASSWORD } });
    let tokens: SignedInJson['tokens'] | undefined;
    const signIn = await counted(async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/auth/sign_in',
        payload: { email, password: PASSWORD },
      });
      tokens = response.json<SignedInJson>().tokens;
    });
    // The user, what they hold (one statement, fresh from the store: see readAccessClaims), the session.
    expect(signIn).toEqual(['select *', "select 'r'", 'insert into']);
    let accessToken = '';
    const refresh = await counted(async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/session/refresh',
        payload: { refresh_token: tokens?.refresh_token },
      });
      accessToken = response.json<SignedInJson>().tokens.access_token;
    });
    expect(refresh).toEqual(['select "sessions".*,', 'update "sessions"', "select 'r'"]);
    const me = await counted(async () => {
      for (let request = 0; request < 5; request += 1) {
        const response = await app.inject({ method: 'GET', url: '/me', headers: bearer(accessToken) });
        expect(response.statusCode).toBe(200);
      }
    });
    expect(me).toEqual([]);
  });
});
