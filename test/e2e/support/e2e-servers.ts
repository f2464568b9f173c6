import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { systemClock } from '../../../src/core/clock.js';
import { buildApp } from '../../../src/http/app.js';
import type { KeycardEvent } from '../../../src/core/keycard-events.js';
import { createKeycard, type Keycard } from '../../../src/keycard.js';
import { createTestStore } from '../../support/test-store.js';
import { testOptions } from '../../support/test-keycard.js';

export interface RunningKeycard {
  readonly url: string;
  readonly keycard: Keycard;
  readonly app: FastifyInstance;
  /** Every event the Keycard emitted, in order. */
  readonly events: KeycardEvent[];
  close(): Promise<void>;
}

/**
 * A real Keycard listening on 127.0.0.1 on a free port, on the real clock, with short access tokens so a test
 * can watch one expire and be refreshed silently.
 */
export async function startKeycard(accessTtlSeconds: number): Promise<RunningKeycard> {
  const store = await createTestStore();
  const events: KeycardEvent[] = [];
  const keycard = createKeycard(
    { store, clock: systemClock, onEvent: (event) => events.push(event) },
    { ...testOptions, accessTtlSeconds },
  );
  const app = await buildApp(keycard);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    keycard,
    app,
    events,
    async close() {
      await app.close();
      await keycard.close();
    },
  };
}

/**
 * Another origin on 127.0.0.1 (another port: a different origin, though the same site, so SameSite=Lax does
 * not stop its requests and the CSRF check must). Its page tries what a hostile page would against `target`.
 */
export async function startOtherOrigin(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Another site</title></head>
<body>
  <form id="sign-out" method="post" action="${target}/auth/sign_out"><button>Win a prize</button></form>
  <form id="revoke-others" method="post" action="${target}/session/refresh" enctype="text/plain">
    <input name='{"a":"' value='"}'><button>Another prize</button>
  </form>
</body></html>`;
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
