import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import type { SignedIn } from '../../accounts/register.js';
import { KeycardError } from '../../core/errors.js';
import type { Keycard } from '../../keycard.js';
import { requireSession } from '../authenticate-request.js';
import { checkCsrf } from '../cookies/check-csrf.js';
import { TransportField, wantsCookieTransport } from '../cookies/cookie-transport.js';
import { handOutTokens } from '../cookies/hand-out-tokens.js';
import { clearSessionCookies } from '../cookies/session-cookies.js';
import type { TrustedOrigins } from '../cookies/trusted-origins.js';
import { emptyBodyWhenAbsent } from '../empty-body-when-absent.js';
import { anyCallerOf, requestContextOf, userAgentOf } from '../request-context.js';
import { anonymousOriginOf } from '../anonymous-origin-of.js';
import { hasAccount } from '../../sessions/authenticate-access-token.js';
import type { SessionOptions } from '../../sessions/start-session.js';
import { ApiVersionField, ApiVersionQuery, NoContent } from '../schemas/common-schemas.js';
import { presentSession, SessionBody } from '../schemas/session-schema.js';
import { TokensBody } from '../schemas/tokens-schema.js';
import { presentUser, UserBody } from '../schemas/user-schema.js';
import { BEARER_SECURITY, SESSION_TOKEN_ERRORS, withErrorCodes } from '../schemas/error-responses.js';

const Remember = Type.Optional(
  Type.Boolean({
    description:
      'true (the default): a long-lived session (7 days idle, 90 at most); false: 90 minutes, 12 hours.',
  }),
);

const SignInBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 4096 }),
    remember: Remember,
    transport: TransportField,
    group: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'Puts the new session in this group (one of `KEYCARD_SESSION_GROUPS`).',
      }),
    ),
    api: ApiVersionField,
  },
  { additionalProperties: false },
);

const SignOutBody = Type.Object(
  {
    scope: Type.Optional(
      Type.Union([Type.Literal('current'), Type.Literal('all')], {
        description: '`current` (the default): this session; `all`: every session of yours.',
      }),
    ),
    api: ApiVersionField,
  },
  { additionalProperties: false },
);

/**
 * Registration leaves the password's length to the password policy, so an empty or overlong password gets the
 * documented `password_too_weak` rather than a schema error; the 16 KiB body limit still bounds it.
 */
const RegisterBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 320 }),
    password: Type.String({ description: '8 to 1024 characters, and not a very common password.' }),
    remember: Remember,
    transport: TransportField,
    api: ApiVersionField,
  },
  { additionalProperties: false },
);

/** `POST /auth/anonymous` takes no credentials: only how to hand the tokens out, and the API version. */
const AnonymousBody = Type.Object(
  { transport: TransportField, api: ApiVersionField },
  { additionalProperties: false },
);

const AnonymousSessionBody = Type.Object(
  { session: SessionBody, tokens: Type.Optional(TokensBody) },
  { additionalProperties: false },
);

/** `tokens` is left out when they were set as cookies (`transport: "cookie"`). */
const SignedInBody = Type.Object(
  { user: UserBody, session: SessionBody, tokens: Type.Optional(TokensBody) },
  { additionalProperties: false },
);

/**
 * Sign-in's answer: `{user, session, tokens}`, or `{user, token}` for a legacy account (version 003). One object
 * with optional members rather than a union: fast-json-stringify picks a union's branch by running a validator
 * per response, which cost sign-in about 0.1 ms of main-thread time each in a profile of the sign-in storm.
 */
const SignInResponseBody = Type.Object(
  {
    user: UserBody,
    session: Type.Optional(SessionBody),
    tokens: Type.Optional(TokensBody),
    token: Type.Optional(
      Type.String({
        description:
          'Legacy accounts (version 003) only, instead of `session` and `tokens`: the account’s JWT, sent as the Bearer token.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** Carrying an anonymous session over, as registration, sign-in and upgrade describe it in OpenAPI. */
const CARRIES_ANONYMOUS =
  ' Sent with an anonymous session’s access token (`Authorization: Bearer`, or the session cookie), the new session carries its `anonymous_id` over and the anonymous session ends (reason `upgraded`); any other token is ignored.';

/**
 * Registration, sign-in, anonymous sessions and sign-out: the only places sessions begin and the usual place
 * they end.
 */
export function authRoutes(keycard: Keycard, cookies: TrustedOrigins): FastifyPluginAsyncTypebox {
  /** What a new session records, and the anonymous session it carries over, if the request came with one. */
  const sessionOptionsOf = async (
    request: FastifyRequest,
    remember: boolean,
    group: string | null = null,
  ): Promise<SessionOptions> => {
    const fromAnonymous = await anonymousOriginOf(request, keycard, cookies);
    return {
      apiVersion: request.apiVersion,
      userAgent: userAgentOf(request),
      remember,
      groupId: group,
      ...(fromAnonymous === undefined ? {} : { fromAnonymous }),
    };
  };

  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async functions
  return async (app) => {
    app.post(
      '/auth/anonymous',
      {
        schema: withErrorCodes(['csrf_rejected', 'rate_limited', 'store_unavailable'], {
          summary: 'Start an anonymous session',
          description:
            'Starts a session with no account and a new anonymous id (`session.anonymous_id`), with tokens refreshed like any session’s. It may call `GET /me` (`user: null`), refresh and sign out; anything that needs an account answers `account_required`. Registering or signing in with its access token carries its anonymous id over to the new session and ends it. Limited per client address (`KEYCARD_LIMIT_ANONYMOUS_PER_IP`).',
          tags: ['auth'],
          body: AnonymousBody,
          querystring: ApiVersionQuery,
          response: {
            201: { ...AnonymousSessionBody, description: 'The anonymous session and its tokens.' },
          },
        }),
        // Nothing to send but, perhaps, the transport.
        preValidation: emptyBodyWhenAbsent,
      },
      async (request, reply) => {
        const asCookies = wantsCookieTransport(request, request.body.transport);
        if (asCookies) checkCsrf(request, cookies);
        const { session, tokens } = await keycard.beginAnonymousSession(
          { apiVersion: request.apiVersion, userAgent: userAgentOf(request) },
          requestContextOf(request),
        );
        return reply.code(201).send({
          session: presentSession(session, keycard.lifetimes),
          ...handOutTokens(reply, tokens, asCookies),
        });
      },
    );

    app.post(
      '/auth',
      {
        schema: withErrorCodes(
          ['password_too_weak', 'email_taken', 'csrf_rejected', 'rate_limited', 'store_unavailable'],
          {
            summary: 'Register',
            description:
              'Creates an account and its first session, and returns the session’s tokens.' +
              CARRIES_ANONYMOUS,
            tags: ['auth'],
            body: RegisterBody,
            querystring: ApiVersionQuery,
            response: { 201: { ...SignedInBody, description: 'The new account, its session and tokens.' } },
          },
        ),
      },
      async (request, reply) => {
        const { email, password, remember = true, transport } = request.body;
        const asCookies = wantsCookieTransport(request, transport);
        if (asCookies) checkCsrf(request, cookies);
        const signedIn = await keycard.register(
          { email, password },
          await sessionOptionsOf(request, remember),
          requestContextOf(request),
        );
        return reply.code(201).send(presentSignedIn(keycard, signedIn, reply, asCookies));
      },
    );

    app.post(
      '/auth/sign_in',
      {
        schema: withErrorCodes(
          ['invalid_credentials', 'csrf_rejected', 'session_required', 'rate_limited', 'store_unavailable'],
          {
            summary: 'Sign in',
            description:
              'Starts a session. An unknown email and a wrong password get the same answer, in about the same time.' +
              CARRIES_ANONYMOUS,
            tags: ['auth'],
            body: SignInBody,
            querystring: ApiVersionQuery,
            response: {
              200: {
                ...SignInResponseBody,
                description:
                  'The account, the new session and its tokens; for a legacy account (version 003), the account and its JWT.',
              },
            },
          },
        ),
      },
      async (request, reply) => {
        const { email, password, remember = true, transport, group } = request.body;
        const asCookies = wantsCookieTransport(request, transport);
        if (asCookies) checkCsrf(request, cookies);
        const signedIn = await keycard.signIn(
          { email, password },
          await sessionOptionsOf(request, remember, group),
          requestContextOf(request),
        );
        if ('legacyToken' in signedIn) {
          // A JWT in the body would put a bearer credential in the page's reach, which is what cookie mode
          // avoids; a legacy account has no session to put in cookies: it upgrades first.
          if (asCookies) {
            throw new KeycardError('session_required', {
              message:
                'This account must be upgraded before it can sign in with cookies: use POST /auth/upgrade.',
            });
          }
          return { user: presentUser(signedIn.user), token: signedIn.legacyToken };
        }
        return presentSignedIn(keycard, signedIn, reply, asCookies);
      },
    );

    app.post(
      '/auth/upgrade',
      {
        schema: withErrorCodes(
          ['invalid_credentials', 'csrf_rejected', 'rate_limited', 'store_unavailable'],
          {
            summary: 'Upgrade a legacy account and sign in',
            description:
              'Checks the credentials like a sign-in, moves a legacy account (version 003) to version 004, whose legacy JWTs then stop working, and starts its first session. A current account just signs in.' +
              CARRIES_ANONYMOUS,
            tags: ['auth'],
            body: SignInBody,
            querystring: ApiVersionQuery,
            response: {
              200: { ...SignedInBody, description: 'The upgraded account, its session and tokens.' },
            },
          },
        ),
      },
      async (request, reply) => {
        const { email, password, remember = true, transport } = request.body;
        const asCookies = wantsCookieTransport(request, transport);
        if (asCookies) checkCsrf(request, cookies);
        const signedIn = await keycard.upgradeAndSignIn(
          { email, password },
          await sessionOptionsOf(request, remember),
          requestContextOf(request),
        );
        return presentSignedIn(keycard, signedIn, reply, asCookies);
      },
    );

    app.post(
      '/auth/sign_out',
      {
        schema: withErrorCodes([...SESSION_TOKEN_ERRORS, 'csrf_rejected'], {
          summary: 'Sign out',
          description:
            'Revokes the current session (reason `sign_out`) and clears the session cookies. With ' +
            '`{"scope": "all"}`, every session of the caller (sign out everywhere), and the user’s stamp is bumped. ' +
            'An anonymous session signs out the same way (its only session, whatever the scope).',
          tags: ['auth'],
          security: BEARER_SECURITY,
          body: SignOutBody,
          querystring: ApiVersionQuery,
          response: { 204: { ...NoContent, description: 'Signed out.' } },
        }),
        preValidation: emptyBodyWhenAbsent,
        preHandler: requireSession(keycard, cookies, { anonymous: true }),
      },
      async (request, reply) => {
        const caller = anyCallerOf(request);
        if (request.body.scope === 'all' && hasAccount(caller)) {
          await keycard.signOutEverywhere(caller, requestContextOf(request));
        } else {
          await keycard.signOut(caller, requestContextOf(request));
        }
        if (request.sessionCookieUsed) clearSessionCookies(reply);
        return reply.code(204).send(null);
      },
    );
  };
}

/** `{user, session, tokens}`, or without `tokens` when they were set as cookies instead. */
function presentSignedIn(
  keycard: Keycard,
  signedIn: SignedIn,
  reply: FastifyReply,
  asCookies: boolean,
): Static<typeof SignedInBody> {
  return {
    user: presentUser(signedIn.user),
    session: presentSession(signedIn.session, keycard.lifetimes),
    ...handOutTokens(reply, signedIn.tokens, asCookies),
  };
}
