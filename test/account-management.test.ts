import { describe, expect, it } from 'vitest';
import {
  bearer,
  errorOf,
  PASSWORD,
  registerUser,
  signInUser,
  type SignedInJson,
  type TokensJson,
  useTestKeycard,
} from './support/test-keycard.js';

const t = useTestKeycard({}, { auditLog: true });
const NEW_PASSWORD = 'a new and much better passphrase';

function call(method: 'PUT' | 'DELETE' | 'POST', url: string, accessToken: string, payload?: object) {
  return t.app.inject({
    method,
    url,
    headers: bearer(accessToken),
    ...(payload === undefined ? {} : { payload }),
  });
}

function me(accessToken: string) {
  return t.app.inject({ method: 'GET', url: '/me', headers: bearer(accessToken) });
}

async function elevated(user: SignedInJson): Promise<void> {
  const response = await call('POST', '/session/elevate', user.tokens.access_token, { password: PASSWORD });
  expect(response.statusCode).toBe(200);
}

async function refresh(tokens: TokensJson) {
  return t.app.inject({
    method: 'POST',
    url: '/session/refresh',
    payload: { refresh_token: tokens.refresh_token },
  });
}

function signIn(email: string, password: string) {
  return t.app.inject({ method: 'POST', url: '/auth/sign_in', payload: { email, password } });
}

describe('PUT /me/password', () => {
  it('revokes every other session (password_changed), makes this token stale, and the new password works', async () => {
    const alice = await registerUser(t.app);
    const phone = await signInUser(t.app, alice.user.email);
    t.clock.advance(1000);
    const changed = await call('PUT', '/me/password', alice.tokens.access_token, {
      current_password: PASSWORD,
      new_password: NEW_PASSWORD,
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toEqual({ sessions_revoked: 1 });

    const other = await me(phone.tokens.access_token);
    expect(errorOf(other)).toMatchObject({ code: 'session_revoked', reason: 'password_changed' });
    expect(errorOf(await me(alice.tokens.access_token)).code).toBe('claims_stale');
    const refreshed = await refresh(alice.tokens);
    expect(refreshed.statusCode).toBe(200);
    expect((await me(refreshed.json<{ tokens: TokensJson }>().tokens.access_token)).statusCode).toBe(200);
    expect((await signIn(alice.user.email, PASSWORD)).statusCode).toBe(401);
    expect((await signIn(alice.user.email, NEW_PASSWORD)).statusCode).toBe(200);
    const history = await t.keycard.listUserEvents(alice.user.uuid);
    expect(history.events.map((event) => event.type)).toContain('password_changed');
  });

  it('keep_other_sessions keeps them (their tokens refresh); without the current password it needs elevation', async () => {
    const alice = await registerUser(t.app);
    const phone = await signInUser(t.app, alice.user.email);
    const withoutCurrent = await call('PUT', '/me/password', alice.tokens.access_token, {
      new_password: NEW_PASSWORD,
    });
    expect(withoutCurrent.statusCode).toBe(403);
    expect(errorOf(withoutCurrent).code).toBe('elevation_required');

    await elevated(alice);
    t.clock.advance(1000);
    const changed = await call('PUT', '/me/password', alice.tokens.access_token, {
      new_password: NEW_PASSWORD,
      keep_other_sessions: true,
    });
    expect(changed.json()).toEqual({ sessions_revoked: 0 });
    expect(errorOf(await me(phone.tokens.access_token)).code).toBe('claims_stale');
    expect((await refresh(phone.tokens)).statusCode).toBe(200);
  });

  it('refuses a wrong current password, a weak new one and bad input, changing nothing', async () => {
    const alice = await registerUser(t.app);
    const token = alice.tokens.access_token;
    const wrong = await call('PUT', '/me/password', token, {
      current_password: 'not it at all',
      new_password: NEW_PASSWORD,
    });
    expect(errorOf(wrong).code).toBe('invalid_credentials');
    const weak = await call('PUT', '/me/password', token, {
      current_password: PASSWORD,
      new_password: 'short',
    });
    expect(weak.statusCode).toBe(400);
    expect(errorOf(weak)).toMatchObject({ code: 'password_too_weak', field: 'new_password' });
    for (const [payload, field] of [
      [{ current_password: PASSWORD }, 'new_password'],
      [
        { current_password: PASSWORD, new_password: NEW_PASSWORD, keep_other_sessions: 'yes' },
        'keep_other_sessions',
      ],
      [{ current_password: PASSWORD, new_password: NEW_PASSWORD, email: 'x@example.com' }, 'email'],
    ] as const) {
      expect(errorOf(await call('PUT', '/me/password', token, payload))).toMatchObject({
        code: 'invalid_request',
        field,
      });
    }
    expect((await me(token)).statusCode).toBe(200);
    expect((await signIn(alice.user.email, PASSWORD)).statusCode).toBe(200);
  });
});

describe('PUT /me/email', () => {
  it('needs elevation and the password; refuses a taken or malformed email; then changes it', async () => {
    const alice = await registerUser(t.app);
    const bob = await registerUser(t.app);
    const token = alice.tokens.access_token;
    const newEmail = `Renamed-${alice.user.email}`;
    const notElevated = await call('PUT', '/me/email', token, { email: newEmail, password: PASSWORD });
    expect(errorOf(notElevated).code).toBe('elevation_required');

    await elevated(alice);
    const wrong = await call('PUT', '/me/email', token, { email: newEmail, password: 'not it at all' });
    expect(errorOf(wrong).code).toBe('invalid_credentials');
    const taken = await call('PUT', '/me/email', token, { email: bob.user.email, password: PASSWORD });
    expect(taken.statusCode).toBe(409);
    expect(errorOf(taken).code).toBe('email_taken');
    const malformed = await call('PUT', '/me/email', token, { email: 'no at sign', password: PASSWORD });
    expect(errorOf(malformed)).toMatchObject({ code: 'invalid_request', field: 'email' });
    expect(errorOf(await call('PUT', '/me/email', token, { email: newEmail }))).toMatchObject({
      code: 'invalid_request',
      field: 'password',
    });

    t.clock.advance(1000);
    const changed = await call('PUT', '/me/email', token, { email: newEmail, password: PASSWORD });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toEqual({ email: newEmail.toLowerCase() });
    expect(errorOf(await me(token)).code).toBe('claims_stale');
    const tokens = (await refresh(alice.tokens)).json<{ tokens: TokensJson }>().tokens;
    expect((await me(tokens.access_token)).json()).toMatchObject({ user: { email: newEmail.toLowerCase() } });
    expect((await signIn(newEmail, PASSWORD)).statusCode).toBe(200);
    expect((await signIn(alice.user.email, PASSWORD)).statusCode).toBe(401);
  });
});

describe('DELETE /me', () => {
  it('needs elevation and the password; then every token is refused at once and the account is gone', async () => {
    const alice = await registerUser(t.app);
    const phone = await signInUser(t.app, alice.user.email);
    const token = alice.tokens.access_token;
    expect(errorOf(await call('DELETE', '/me', token, { password: PASSWORD })).code).toBe(
      'elevation_required',
    );
    await elevated(alice);
    expect(errorOf(await call('DELETE', '/me', token, { password: 'not it at all' })).code).toBe(
      'invalid_credentials',
    );
    expect(errorOf(await call('DELETE', '/me', token, {})).code).toBe('invalid_request');
    expect((await me(token)).statusCode).toBe(200);

    const deleted = await call('DELETE', '/me', token, { password: PASSWORD });
    expect(deleted.statusCode).toBe(204);
    for (const session of [alice, phone]) {
      const refused = await me(session.tokens.access_token);
      expect(errorOf(refused)).toMatchObject({ code: 'session_revoked', reason: 'account_deleted' });
      expect((await refresh(session.tokens)).statusCode).toBe(401);
    }
    expect((await signIn(alice.user.email, PASSWORD)).statusCode).toBe(401);
    expect(await t.store.findUserByUuid(alice.user.uuid)).toBeUndefined();
    expect(await t.store.listUserSessions(alice.user.uuid)).toEqual([]);
    expect(await t.store.listAuditEvents(alice.user.uuid, undefined, 10)).toEqual([]);
    // The email is free again.
    expect((await registerUser(t.app, { email: alice.user.email })).user.email).toBe(alice.user.email);
  });

  it('the last administrator cannot delete their account', async () => {
    const alice = await registerUser(t.app);
    await t.keycard.admin.access.setUserRole(alice.user.uuid, 'admin', true);
    const tokens = (await refresh(alice.tokens)).json<{ tokens: TokensJson }>().tokens;
    const fresh = { ...alice, tokens };
    await elevated(fresh);
    const refused = await call('DELETE', '/me', tokens.access_token, { password: PASSWORD });
    expect(refused.statusCode).toBe(409);
    expect(errorOf(refused).code).toBe('last_admin');
    expect(await t.store.findUserByUuid(alice.user.uuid)).toBeDefined();
  });
});

describe('POST /auth/sign_out with scope all', () => {
  it('ends every session of the caller; scope current (or none) only this one; a bad scope is refused', async () => {
    const alice = await registerUser(t.app);
    const phone = await signInUser(t.app, alice.user.email);
    const laptop = await signInUser(t.app, alice.user.email);
    const bad = await call('POST', '/auth/sign_out', laptop.tokens.access_token, { scope: 'everything' });
    expect(errorOf(bad)).toMatchObject({ code: 'invalid_request', field: 'scope' });
    expect(
      (await call('POST', '/auth/sign_out', laptop.tokens.access_token, { scope: 'current' })).statusCode,
    ).toBe(204);
    expect((await me(phone.tokens.access_token)).statusCode).toBe(200);

    const all = await call('POST', '/auth/sign_out', alice.tokens.access_token, { scope: 'all' });
    expect(all.statusCode).toBe(204);
    for (const session of [alice, phone]) {
      expect(errorOf(await me(session.tokens.access_token))).toMatchObject({
        code: 'session_revoked',
        reason: 'sign_out',
      });
    }
  });
});
