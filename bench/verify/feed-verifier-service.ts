/**
 * Another service, in its own process: `keycard/verify` (the build's `dist/verify`, as a service installs it)
 * following Keycard's revocation feed, behind a `node:http` route (`GET /`, `nodeHttpAuthenticator`) that the
 * bench uses for its sanity checks. argv: the feed, `sse` or `redis`. Env: KEYCARD_BENCH_KEYCARD_URL,
 * KEYCARD_BENCH_ISSUER, KEYCARD_BENCH_AUDIENCE, and KEYCARD_BENCH_SERVICE_KEY (sse) or KEYCARD_BENCH_REDIS_URL
 * and KEYCARD_BENCH_REDIS_PREFIX (redis).
 *
 * Over IPC the bench sends `{ id, watch: token }`: the token is verified once (the answer says whether it was
 * accepted), then again after every message the feed delivers, until it is refused; the answer then carries the
 * moment (`process.hrtime`, the system-wide monotonic clock the parent reads too) and the code. The feed is
 * the one `createVerifier({ feed: { sse } })` would build, wrapped only to call back after each message is
 * applied: reacting to the feed gives the moment the verifier starts refusing, without a busy loop competing
 * for the core with the process that sends the revocation.
 */
import { createServer } from 'node:http';
import type * as VerifyModule from '../../src/verify/index.js';
import { fromBuild } from '../core/from-build.js';

const { createVerifier, createRedisRevocationFeed, createSseRevocationFeed, nodeHttpAuthenticator } =
  await fromBuild<typeof VerifyModule>('verify/index.js');

/** What the bench asks for. */
export interface WatchRequest {
  readonly id: number;
  readonly watch: string;
}

/** What this process answers: once for the first check of a token, once more when it is refused (or not). */
export type WatchAnswer =
  | { readonly id: number; readonly accepted: true }
  | { readonly id: number; readonly accepted: false; readonly code: string }
  | { readonly id: number; readonly refusedAtUs: number; readonly code: string }
  | { readonly id: number; readonly timedOut: true };

const WATCH_LIMIT_MS = 5000;
const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
};
const keycardUrl = env('KEYCARD_BENCH_KEYCARD_URL');
const feedKind = process.argv[2];

const inner =
  feedKind === 'redis'
    ? createRedisRevocationFeed({
        url: env('KEYCARD_BENCH_REDIS_URL'),
        keyPrefix: env('KEYCARD_BENCH_REDIS_PREFIX'),
      })
    : createSseRevocationFeed({
        url: `${keycardUrl}/events/revocations`,
        serviceKey: env('KEYCARD_BENCH_SERVICE_KEY'),
      });

let afterMessage = (): void => undefined;
const verifier = createVerifier({
  issuer: env('KEYCARD_BENCH_ISSUER'),
  audience: env('KEYCARD_BENCH_AUDIENCE'),
  jwksUrl: `${keycardUrl}/.well-known/jwks.json`,
  feed: {
    start: (onMessage) =>
      inner.start((message) => {
        onMessage(message);
        afterMessage();
      }),
    listeningSince: () => inner.listeningSince(),
    stop: () => inner.stop(),
  },
});
await verifier.ready(10_000);

const answer = (message: WatchAnswer) => process.send?.(message);
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** The token being watched, and what ends the watch. */
let watching: { readonly id: number; readonly token: string; readonly timer: NodeJS.Timeout } | undefined;

afterMessage = () => {
  const current = watching;
  if (current === undefined) return;
  void verifier.verify(current.token).then((result) => {
    if (result.ok || watching !== current) return;
    const refusedAtUs = nowUs();
    clearTimeout(current.timer);
    watching = undefined;
    answer({ id: current.id, refusedAtUs, code: result.code });
  });
};

process.on('message', (message: WatchRequest) => {
  void verifier.verify(message.watch).then((result) => {
    if (!result.ok) {
      answer({ id: message.id, accepted: false, code: result.code });
      return;
    }
    if (watching !== undefined) clearTimeout(watching.timer);
    const timer = setTimeout(() => {
      if (watching?.id !== message.id) return;
      watching = undefined;
      answer({ id: message.id, timedOut: true });
    }, WATCH_LIMIT_MS);
    watching = { id: message.id, token: message.watch, timer };
    answer({ id: message.id, accepted: true });
  });
});

const authenticate = nodeHttpAuthenticator(verifier);
const server = createServer((request, response) => {
  void authenticate(request, response).then((claims) => {
    if (claims === undefined) return;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sub: claims.sub }));
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
// The parent going away (a crash, Ctrl-C) must not leave a process behind.
process.on('disconnect', () => process.exit(0));
process.once('SIGTERM', () => {
  server.close();
  void verifier.close().then(() => process.exit(0));
});
