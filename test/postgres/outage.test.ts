import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { buildApp } from '../../src/http/app.js';
import { createKeycard } from '../../src/keycard.js';
import { createPostgresStore } from '../../src/store/postgres/create-postgres-store.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { bearer, errorCodeOf, PASSWORD, testOptions, uniqueEmail } from '../support/test-keycard.js';
import { dropSchema, TEST_POSTGRES_URL, uniqueSchemaName } from '../support/test-store.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('PostgreSQL outage', () => {
  it('answers 503 store_unavailable while the database is down, writes nothing, and recovers by itself', async () => {
    const target = new URL(TEST_POSTGRES_URL);
    const proxy = new TcpProxy(Number(target.port || 5432));
    await proxy.start();
    cleanups.push(() => proxy.close());
    const schema = uniqueSchemaName();
    const viaProxy = new URL(TEST_POSTGRES_URL);
    viaProxy.port = String(proxy.port);
    const store = await createPostgresStore({
      connectionString: viaProxy.toString(),
      schema,
      poolSize: 2,
      onIdleError: () => undefined,
    });
    const keycard = createKeycard(
      { store, clock: new ManualClock() },
      { ...testOptions, cacheMaxSessions: 0 },
    );
    const app = await buildApp(keycard);
    cleanups.push(async () => {
      await app.close();
      await keycard.close();
      await dropSchema(schema);
    });

    const email = uniqueEmail();
    const registered = await app.inject({
      method: 'POST',
      url: '/auth',
      payload: { email, password: PASSWORD },
    });
    expect(registered.statusCode).toBe(201);
    const { tokens } = registered.json<{ tokens: { access_token: string } }>();

    await proxy.cut();
    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(503);
    expect(errorCodeOf(health)).toBe('store_unavailable');
    const refusedEmail = uniqueEmail();
    const failedSignUp = await app.inject({
      method: 'POST',
      url: '/auth',
      payload: { email: refusedEmail, password: PASSWORD },
    });
    expect(failedSignUp.statusCode).toBe(503);
    expect(errorCodeOf(failedSignUp)).toBe('store_unavailable');
    const me = await app.inject({ method: 'GET', url: '/me', headers: bearer(tokens.access_token) });
    expect(errorCodeOf(me)).toBe('store_unavailable');

    await proxy.restore();
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect(
      (await app.inject({ method: 'GET', url: '/me', headers: bearer(tokens.access_token) })).statusCode,
    ).toBe(200);
    // The sign-up refused during the outage left nothing behind: the same email registers now.
    const retried = await app.inject({
      method: 'POST',
      url: '/auth',
      payload: { email: refusedEmail, password: PASSWORD },
    });
    expect(retried.statusCode).toBe(201);
  });
});
