import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { type ListeningKeycard, SERVICE_KEY, startListeningKeycard } from './support/listening-keycard.js';

let kc: ListeningKeycard | undefined;
afterEach(async () => {
  await kc?.close();
});

describe('a verifier in another process', () => {
  it('refuses a session within milliseconds of its sign-out', { timeout: 30_000 }, async () => {
    kc = await startListeningKeycard();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'support/verifier-child.ts'), kc.url, SERVICE_KEY],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => String((await lines.next()).value);
    try {
      expect(await next()).toBe('ready');
      const { tokens, user } = await kc.register();
      const ask = async () => {
        child.stdin.write(`${tokens.access_token}\n`);
        return JSON.parse(await next()) as { ok: boolean; sub?: string; code?: string };
      };
      expect(await ask()).toEqual({ ok: true, sub: user.uuid });
      await kc.signOut(tokens.access_token);
      const signedOutAt = performance.now();
      let answer = await ask();
      while (answer.ok) {
        expect(performance.now() - signedOutAt).toBeLessThan(1000);
        answer = await ask();
      }
      expect(answer.code).toBe('token_revoked');
      expect(performance.now() - signedOutAt).toBeLessThan(1000);
    } finally {
      child.stdin.end();
      child.kill();
    }
  });
});
