import type { FastifyInstance } from 'fastify';
import { systemClock } from '../../src/core/clock.js';
import { buildApp } from '../../src/http/app.js';
import {
  createKeycard,
  type Keycard,
  type KeycardDependencies,
  type KeycardOptions,
} from '../../src/keycard.js';
import type { KeycardStore } from '../../src/store/kysely/kysely-store.js';
import { PASSWORD, testOptions, uniqueEmail, type SignedInJson } from './test-keycard.js';
import { createTestStore } from './test-store.js';

export const SERVICE_KEY = 'service-key-service-key-service-key-0123';
export const JWT_ISSUER = 'https://keycard.test';

/** A Keycard with JWT access tokens on the real clock, listening on 127.0.0.1 (an ephemeral port). */
export interface ListeningKeycard {
  readonly keycard: Keycard;
  readonly store: KeycardStore;
  readonly app: FastifyInstance;
  readonly url: string;
  readonly port: number;
  register(): Promise<SignedInJson>;
  signOut(accessToken: string): Promise<void>;
  close(): Promise<void>;
}

export async function startListeningKeycard(
  overrides: Partial<KeycardOptions> = {},
  dependencies: Partial<KeycardDependencies> = {},
): Promise<ListeningKeycard> {
  const store = await createTestStore();
  const keycard = createKeycard(
    { store, clock: systemClock, ...dependencies },
    { ...testOptions, jwt: { format: 'jwt', issuer: JWT_ISSUER, audiences: ['api'] }, ...overrides },
  );
  const app = await buildApp(keycard, { serviceKeys: [SERVICE_KEY], revocationHeartbeatMs: 200 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  return {
    keycard,
    store,
    app,
    url,
    port,
    async register() {
      const response = await fetch(`${url}/auth`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: uniqueEmail(), password: PASSWORD }),
      });
      if (response.status !== 201) throw new Error(`registration failed: ${await response.text()}`);
      return (await response.json()) as SignedInJson;
    },
    async signOut(accessToken) {
      const response = await fetch(`${url}/auth/sign_out`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}` },
      });
      if (response.status !== 204) throw new Error(`sign-out failed: ${await response.text()}`);
    },
    async close() {
      await app.close();
      await keycard.close();
    },
  };
}
