import { createHook } from 'node:async_hooks';

let held: object | undefined;

/**
 * Keeps `process.nextTick` on V8's fast path for the life of the process, by holding one of its tick objects.
 *
 * Node 20 builds each tick object with a literal whose first keys are computed symbols (`{ [async_id_symbol]: …,
 * [trigger_async_id_symbol]: …, callback, args }`). V8 caches such a key's definition for one hidden class (map)
 * only: the first other map it meets turns the cache megamorphic for good, and from then on every tick object is
 * built through the runtime (`Runtime_DefineKeyedOwnPropertyInLiteral`, `JSObject::MigrateToMap`). The maps are
 * held weakly, so a full garbage collection at a moment when no tick object is alive frees them, and the next
 * tick meets new ones. An idle server is such a moment (V8's memory reducer collects when a process goes quiet).
 * Measured on 2026-12-04 (`perf record -p`, CPU time from /proc, wrk on the other core):
 * - bare Fastify servers (started with `--import tsx`) left idle for two minutes: 3 of 3 slow for the rest of
 *   their lives, 0 of 3 with this call, which took 8–22% less CPU a request;
 * - Keycard servers idle two minutes after their sessions were seeded: the build before this call 2 of 2 slow,
 *   with it 0 of 2, and ~12% less CPU a request (median of 6 alternating pairs; 3–26%).
 * "Slow" is `perf` finding the two symbols above at all. A tick object held here keeps its whole chain of maps
 * alive (each map holds its parent), so the cached map stays the one every tick object gets.
 *
 * Call it as early as possible: a collection before the call may have done the harm already. It is idempotent,
 * costs one tick object, and leaves no async hook enabled. Returns whether a tick object is held. `keycard`,
 * `startServer` and `createVerifier` call it; `keycard/verify` exports it for any other Node service.
 */
export function holdNextTickShapes(): boolean {
  held ??= aTickObject();
  return held !== undefined;
}

/** The tick object of one `process.nextTick` call, caught by an async hook enabled for that call only. */
function aTickObject(): object | undefined {
  let tickObject: object | undefined;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject') tickObject ??= resource;
    },
  });
  hook.enable();
  try {
    process.nextTick(doNothing);
  } finally {
    hook.disable();
  }
  return tickObject;
}

function doNothing(): void {}
