import { describe, expect, it } from 'vitest';
import {
  bearer,
  useTestKeycard,
  errorCodeOf,
  PASSWORD,
  registerUser,
  type SignedInJson,
} from './support/test-keycard.js';

const t = useTestKeycard();

describe('registration and sign-in', () => {
  it('registers a user with a session and tokens, then serves /me with the access token', async () => {
    const signedUp = await registerUser(
      t.app,
      { email: '  Alice@Example.COM ' },
      { 'user-agent': 'test-agent' },
    );
    expect(signedUp.user.email).toBe('alice@example.com');
    expect(signedUp.user.version).toBe('004');
    expect(signedUp.session.api_version).toBe('20200115');
    expect(signedUp.session.remember).toBe(true);
    expect(signedUp.tokens.token_type).toBe('Bearer');

    const me = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: bearer(signedUp.tokens.access_token),
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      user: { uuid: signedUp.user.uuid, email: 'alice@example.com' },
      session: { uuid: signedUp.session.uuid, user_agent: 'test-agent' },
    });
  });

  it('signs in with the same credentials into a second session', async () => {
    await registerUser(t.app, { email: 'bob@example.com' });
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email: 'BOB@example.com', password: PASSWORD, remember: false },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json<SignedInJson>();
    expect(body.session.remember).toBe(false);
    const sessions = await t.app.inject({
      method: 'GET',
      url: '/sessions',
      headers: bearer(body.tokens.access_token),
    });
    expect(sessions.json<{ sessions: unknown[] }>().sessions).toHaveLength(2);
  });

  it('answers an unknown email and a wrong password the same way', async () => {
    await registerUser(t.app, { email: 'carol@example.com' });
    const wrongPassword = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email: 'carol@example.com', password: 'not the password' },
    });
    const unknownEmail = await t.app.inject({
      method: 'POST',
      url: '/auth/sign_in',
      payload: { email: 'nobody@example.com', password: 'not the password' },
    });
    expect(wrongPassword.statusCode).toBe(401);
    expect(unknownEmail.statusCode).toBe(401);
    expect(wrongPassword.body).toBe(unknownEmail.body);
    expect(errorCodeOf(wrongPassword)).toBe('invalid_credentials');
  });

  it('refuses a second account with the same email, however it is spelled', async () => {
    await registerUser(t.app, { email: 'dave@example.com' });
    const again = await t.app.inject({
      method: 'POST',
      url: '/auth',
      payload: { email: 'Dave@Example.com', password: PASSWORD },
    });
    expect(again.statusCode).toBe(409);
    expect(errorCodeOf(again)).toBe('email_taken');
  });
});
