/**
 * A service in its own process that verifies Keycard's tokens with `keycard/verify` (imported from the verify
 * folder only). argv: Keycard's URL, a service key. Prints `ready`, then answers each token read on stdin with
 * one JSON line: the verification result.
 */
import { createInterface } from 'node:readline';
import { createVerifier } from '../../src/verify/index.js';

const [url = '', serviceKey = ''] = process.argv.slice(2);
const verifier = createVerifier({
  issuer: 'https://keycard.test',
  audience: 'api',
  jwksUrl: `${url}/.well-known/jwks.json`,
  feed: { sse: { url: `${url}/events/revocations`, serviceKey } },
});
await verifier.ready();
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const result = await verifier.verify(line.trim());
  process.stdout.write(`${JSON.stringify(result.ok ? { ok: true, sub: result.claims.sub } : result)}\n`);
}
await verifier.close();
