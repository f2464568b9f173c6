import { send } from '../cluster/closed-loop.js';

export const BENCH_PASSWORD = 'correct horse battery staple';

/** Runs `task(0..count-1)` with at most `concurrency` in flight. */
async function forEachLimited(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const index = next;
        next += 1;
        await task(index);
      }
    }),
  );
}

async function postForToken(url: string, path: string, email: string, status: number): Promise<string> {
  const response = await send(`${url}${path}`, 'POST', { email, password: BENCH_PASSWORD });
  if (response.status !== status) {
    throw new Error(`POST ${path} answered ${response.status}: ${response.body.slice(0, 300)}`);
  }
  return (JSON.parse(response.body) as { tokens: { access_token: string } }).tokens.access_token;
}

/**
 * Registers `users` accounts through the HTTP API (`<prefix>-<n>@example.com`), each with `sessionsPerUser`
 * sessions in all (registration makes the first, sign-ins the rest), and returns every access token.
 * Four requests in flight keep the server's two argon2 slots busy.
 */
export async function seedSessions(
  url: string,
  { prefix, users, sessionsPerUser }: { prefix: string; users: number; sessionsPerUser: number },
): Promise<{ emails: string[]; accessTokens: string[] }> {
  const emails = Array.from({ length: users }, (_, index) => `${prefix}-${index}@example.com`);
  const accessTokens: string[] = [];
  await forEachLimited(users, 4, async (index) => {
    accessTokens.push(await postForToken(url, '/auth', emails[index] ?? '', 201));
  });
  await forEachLimited(users * (sessionsPerUser - 1), 4, async (index) => {
    accessTokens.push(await postForToken(url, '/auth/sign_in', emails[index % users] ?? '', 200));
  });
  return { emails, accessTokens };
}
