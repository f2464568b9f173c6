/**
 * Prints V8's feedback for `process.nextTick` after the moment that harms it: tick objects made, none left alive,
 * two full collections, tick objects made again. argv[2] `hold` calls `holdNextTickShapes()` first, `verifier`
 * creates a verifier (which calls it), `plain` does neither. Run with --expose-gc --allow-natives-syntax (the feedback is printed by %DebugPrint, to stdout).
 */
import { createVerifier, holdNextTickShapes } from '../../src/verify/index.js';

const mode = process.argv[2];
if (mode === 'hold' && !holdNextTickShapes()) throw new Error('no tick object held');
// A verifier without a feed starts no I/O: only its creation is under test here.
if (mode === 'verifier')
  createVerifier({ issuer: 'https://keycard.test', audience: 'api', jwksUrl: 'http://127.0.0.1:9/' });
// Natives syntax is not TypeScript: V8 parses this body itself.
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a fixed string, for V8's natives syntax
const debugPrint = new Function('value', '%DebugPrint(value)') as (value: unknown) => void;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const drained = () => new Promise((resolve) => setImmediate(resolve));
const doNothing = () => undefined;

for (let count = 0; count < 100; count += 1) process.nextTick(doNothing);
await drained();
gc();
gc();
await drained();
for (let count = 0; count < 100; count += 1) process.nextTick(doNothing);
await drained();
// eslint-disable-next-line @typescript-eslint/unbound-method -- printed, not called
debugPrint(process.nextTick);
