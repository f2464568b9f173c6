/**
 * The baseline for sign-in: how many argon2id verifications per second Keycard's own hasher
 * (`createArgon2PasswordHasher()`, with its default limit on hashes at once) does with `concurrency` callers,
 * as many as the HTTP load has connections. Prints one JSON line.
 * Run pinned like the server: taskset -c 0 node --import tsx bench/core/argon2-rate.ts <seconds> <concurrency>
 */
import { createArgon2PasswordHasher } from '../../src/accounts/argon2-password-hasher.js';

const seconds = Number(process.argv[2] ?? 5);
const concurrency = Number(process.argv[3] ?? 16);
const hasher = createArgon2PasswordHasher();
const password = 'correct horse battery staple';
const hash = await hasher.hash(password);
for (let warm = 0; warm < 10; warm += 1) await hasher.verify(hash, password);

let verified = 0;
const started = performance.now();
const deadline = started + seconds * 1000;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      if (!(await hasher.verify(hash, password))) throw new Error('verify failed');
      verified += 1;
    }
  }),
);
const perSecond = verified / ((performance.now() - started) / 1000);
process.stdout.write(`${JSON.stringify({ perSecond, verified, concurrency })}\n`);
