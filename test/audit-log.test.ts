import { randomUUID } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../src/audit/audit-event.js';
import { createAuditEventIds } from '../src/audit/audit-event-ids.js';
import { hashSecret } from '../src/tokens/opaque-secret.js';
import { auditEventAt } from './support/audit-events.js';
import {
  bearer,
  PASSWORD,
  registerUser,
  type SignedInJson,
  type TokensJson,
  uniqueEmail,
  useTestKeycard,
} from './support/test-keycard.js';

const DAY_MS = 86_400_000;
const HOME = { ip: '203.0.113.7', userAgent: 'AuditTest/1.0 (home)' };
const PHONE = { ip: '2001:db8::42', userAgent: 'AuditTest/1.0 (phone)' };
const STRANGER = { ip: '198.51.100.66', userAgent: 'curl/8.5.0' };
type Origin = typeof HOME;
const UUID_V7: unknown = expect.stringMatching(
  /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
);

const t = useTestKeycard({}, { auditLog: true });

function from(origin: Origin, options: InjectOptions): Promise<LightMyRequestResponse> {
  return t.app.inject({
    ...options,
    remoteAddress: origin.ip,
    headers: { ...options.headers, 'user-agent': origin.userAgent },
  });
}

async function register(origin: Origin, body: Record<string, unknown> = {}): Promise<SignedInJson> {
  const payload = { email: uniqueEmail(), password: PASSWORD, ...body };
  const response = await from(origin, { method: 'POST', url: '/auth', payload });
  expect(response.statusCode).toBe(201);
  return response.json<SignedInJson>();
}

async function signIn(origin: Origin, email: string, body: Record<string, unknown> = {}) {
  const payload = { email, password: PASSWORD, ...body };
  const response = await from(origin, { method: 'POST', url: '/auth/sign_in', payload });
  expect(response.statusCode).toBe(200);
  return response.json<SignedInJson>();
}

function refresh(origin: Origin, refreshToken: string) {
  return from(origin, { method: 'POST', url: '/session/refresh', payload: { refresh_token: refreshToken } });
}

/** Every event of a user, newest first, as the store returns them. */
async function eventsOf(userUuid: string): Promise<AuditEvent[]> {
  return (await t.keycard.listUserEvents(userUuid, { limit: 100 })).events;
}

describe('the audit log', () => {
  it('records created, refreshed, reuse_detected and revoked for every reason, with user, session, address, user agent and time', async () => {
    const start = t.clock.now();
    const first = await register(HOME);
    const user = first.user.uuid;
    const second = await signIn(PHONE, first.user.email);
    t.clock.advance(1000);
    const refreshed = await refresh(HOME, first.tokens.refresh_token);
    expect(refreshed.statusCode).toBe(200);
    expect((await refresh(HOME, first.tokens.refresh_token)).statusCode).toBe(200); // grace retry: no row
    t.clock.advance(60_000);
    const reused = await refresh(STRANGER, first.tokens.refresh_token);
    expect(reused.statusCode).toBe(401);
    const third = await signIn(PHONE, first.user.email);
    const fourth = await signIn(PHONE, first.user.email);
    const phone = bearer(second.tokens.access_token);
    const revoked = await from(PHONE, {
      method: 'DELETE',
      url: '/session',
      headers: phone,
      payload: { uuid: fourth.session.uuid },
    });
    expect(revoked.statusCode).toBe(204);
    expect((await from(PHONE, { method: 'DELETE', url: '/sessions', headers: phone })).statusCode).toBe(204);
    expect((await from(PHONE, { method: 'POST', url: '/auth/sign_out', headers: phone })).statusCode).toBe(
      204,
    );
    const short = await signIn(HOME, first.user.email, { remember: false });
    t.clock.advance(13 * 3600_000);
    await t.keycard.sweep();

    const at = (offsetMs: number) => start + offsetMs;
    const row = (
      type: AuditEvent['type'],
      session: SignedInJson,
      origin: Origin | null,
      occurredAt: number,
      reason: AuditEvent['reason'] = null,
    ) => ({
      uuid: UUID_V7,
      type,
      userUuid: user,
      sessionUuid: session.session.uuid,
      reason,
      ip: origin?.ip ?? null,
      userAgent: origin?.userAgent ?? null,
      occurredAt,
      actorUuid: null,
      role: null,
      permission: null,
    });
    const recorded = [
      row('created', first, HOME, at(0)),
      row('created', second, PHONE, at(0)),
      row('refreshed', first, HOME, at(1000)),
      // The reuse ends the session first, then says why: both from where the stolen token came.
      row('revoked', first, STRANGER, at(61_000), 'refresh_reuse'),
      row('reuse_detected', first, STRANGER, at(61_000)),
      row('created', third, PHONE, at(61_000)),
      row('created', fourth, PHONE, at(61_000)),
      row('revoked', fourth, PHONE, at(61_000), 'revoked'),
      row('revoked', third, PHONE, at(61_000), 'revoked_others'),
      row('revoked', second, PHONE, at(61_000), 'sign_out'),
      row('created', short, HOME, at(61_000)),
      // The sweep ends it: no request, so no address or user agent.
      row('revoked', short, null, at(61_000 + 13 * 3600_000), 'expired'),
    ];
    // Newest first; events of one millisecond in the order they happened (their UUIDv7s count up).
    expect(await eventsOf(user)).toEqual(recorded.reverse());
  });

  it('records a failed sign-in against the account, or against nobody for an unknown email, with neither email nor password', async () => {
    const append = vi.spyOn(t.store, 'appendAuditEvents');
    const { user } = await register(HOME);
    const wrongPassword = 'not the password at all';
    const known = await from(STRANGER, {
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email: user.email, password: wrongPassword },
    });
    const unknownEmail = 'nobody-here@example.com';
    const unknown = await from(STRANGER, {
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email: unknownEmail, password: PASSWORD },
    });
    expect([known.statusCode, unknown.statusCode]).toEqual([401, 401]);

    const failed = { type: 'sign_in_failed', sessionUuid: null, reason: null, ...STRANGER };
    expect((await eventsOf(user.uuid))[0]).toMatchObject({ ...failed, userUuid: user.uuid });
    const written = append.mock.calls.flatMap(([batch]) => batch);
    expect(written.filter((event) => event.type === 'sign_in_failed')).toEqual([
      expect.objectContaining({ ...failed, userUuid: user.uuid }),
      expect.objectContaining({ ...failed, userUuid: null }),
    ]);
    const text = JSON.stringify(written);
    for (const secret of [user.email, unknownEmail, wrongPassword, PASSWORD])
      expect(text).not.toContain(secret);
  });

  it('keeps no token, token hash, password, password hash or email in any row', async () => {
    const append = vi.spyOn(t.store, 'appendAuditEvents');
    const first = await register(HOME);
    const second = await signIn(PHONE, first.user.email);
    const next = (await refresh(HOME, first.tokens.refresh_token)).json<{ tokens: TokensJson }>().tokens;
    t.clock.advance(60_000);
    await refresh(HOME, first.tokens.refresh_token); // reuse
    await from(PHONE, { method: 'POST', url: '/auth/sign_out', headers: bearer(second.tokens.access_token) });
    await from(PHONE, {
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email: first.user.email, password: `${PASSWORD}!` },
    });

    const stored = await eventsOf(first.user.uuid);
    const written = append.mock.calls.flatMap(([batch]) => batch);
    expect(stored).toHaveLength(written.length);
    const account = await t.store.findUserByEmail(first.user.email);
    const tokens = [first.tokens, second.tokens, next].flatMap((pair) => [
      pair.access_token,
      pair.refresh_token,
    ]);
    const secrets = tokens.map((token) => token.split('.').at(-1) ?? token);
    const forbidden = [
      ...tokens,
      ...secrets,
      ...secrets.map(hashSecret),
      PASSWORD,
      account?.passwordHash ?? 'no password hash',
      first.user.email,
    ];
    for (const rows of [stored, written]) {
      for (const event of rows) {
        expect(Object.keys(event).sort()).toEqual(
          [
            'actorUuid',
            'ip',
            'occurredAt',
            'permission',
            'reason',
            'role',
            'sessionUuid',
            'type',
            'userAgent',
            'userUuid',
            'uuid',
          ].sort(),
        );
      }
      const text = JSON.stringify(rows);
      for (const value of forbidden) expect(text).not.toContain(value);
    }
  });

  it('never fails a request because the audit write failed, and writes the event on a later try', async () => {
    const append = vi.spyOn(t.store, 'appendAuditEvents').mockRejectedValueOnce(new Error('disk on fire'));
    const { user, session } = await register(HOME);
    await vi.waitFor(() => expect(append).toHaveBeenCalledTimes(1));
    // Listing writes what is queued first, so the retried event is in the page.
    expect(await eventsOf(user.uuid)).toEqual([
      expect.objectContaining({ type: 'created', sessionUuid: session.uuid }),
    ]);
  });

  it('appends a retried batch once: a write whose answer was lost does not fail for ever', async () => {
    const nextUuid = createAuditEventIds();
    const user = randomUUID();
    const batch = [0, 1].map((n) => auditEventAt(nextUuid, user, t.clock.now() + n));
    await t.store.appendAuditEvents(batch);
    await t.store.appendAuditEvents(batch);
    expect(await eventsOf(user)).toEqual([...batch].reverse());
  });
});

describe('audit log default retention', () => {
  it('keeps events 90 days', async () => {
    const { user, session } = await registerUser(t.app);
    t.clock.advance(90 * DAY_MS - 1);
    // The sweep ends the long-idle session now: that event is new.
    expect((await t.keycard.sweep()).auditEventsPruned).toBe(0);
    t.clock.advance(2);
    expect((await t.keycard.sweep()).auditEventsPruned).toBe(1);
    expect((await t.keycard.listUserEvents(user.uuid)).events).toEqual([
      expect.objectContaining({ type: 'revoked', sessionUuid: session.uuid, reason: 'expired' }),
    ]);
  });
});
