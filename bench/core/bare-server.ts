/**
 * The baseline: a bare Fastify route answering GET /me with a fixed JSON body of the given byte length, and
 * nothing else (no hooks, no schema, no logger). Run: taskset -c 0 node --import tsx bench/core/bare-server.ts <bytes>
 *
 * It holds a tick object as Keycard does (`holdNextTickShapes`), so that an idle spell cannot leave the baseline
 * in V8's slow state for `process.nextTick` and flatter Keycard: the baseline stays at its best.
 */
import Fastify from 'fastify';
import { holdNextTickShapes } from '../../src/verify/next-tick-shapes.js';

holdNextTickShapes();

const bytes = Number(process.argv[2] ?? 300);
const filler = 'x'.repeat(Math.max(0, bytes - '{"filler":""}'.length));
const app = Fastify({ logger: false });
app.get('/me', () => ({ filler }));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening on ${url}\n`);
process.on('disconnect', () => process.exit(0));
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
