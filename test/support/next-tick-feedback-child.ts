/**
 * Prints V8's feedback for `process.nextTick` after the moment that harms it: tick objects made, none left alive,
 * two full collections, tick objects made again. argv[2] `hold` calls `holdNextTickShapes()` first; `plain` does
 * not. Run with --expose-gc --allow-natives-syntax (the feedback is printed by %DebugPrint, to stdout).
 */
import { holdNextTickShapes } from '../../src/core/next-tick-shapes.js';

if (process.argv[2] === 'hold' && !holdNextTickShapes()) throw new Error('no tick object held');
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
