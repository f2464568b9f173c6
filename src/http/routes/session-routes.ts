import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Keycard } from '../../keycard.js';
import { KeycardError } from '../../core/errors.js';
import { requireSession } from '../authenticate-request.js';
import { checkCsrf } from '../cookies/check-csrf.js';
import { TransportField, wantsCookieTransport } from '../cookies/cookie-transport.js';
import { handOutTokens } from '../cookies/hand-out-tokens.js';
import { cookieOf, REFRESH_COOKIE } from '../cookies/session-cookies.js';
import type { TrustedOrigins } from '../cookies/trusted-origins.js';
import { emptyBodyWhenAbsent } from '../empty-body-when-absent.js';
import { callerOf, requestContextOf } from '../request-context.js';
import { ApiVersionField, ApiVersionQuery, NoBody, NoContent, Uuid } from '../schemas/common-schemas.js';
import {
  presentSession,
  presentSessionListItem,
  SessionBody,
  SessionListItem,
} from '../schemas/session-schema.js';
import { TokensBody } from '../schemas/tokens-schema.js';
import { ACCESS_TOKEN_ERRORS, BEARER_SECURITY, withErrorCodes } from '../schemas/error-responses.js';

const RefreshBody = Type.Object(
  {
    refresh_token: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description: 'The refresh token to exchange; without it, the refresh cookie’s.',
      }),
    ),
    transport: TransportField,
    api: ApiVersionField,
  },
  { additionalProperties: false },
);

const RevokeBody = Type.Object(
  {
    uuid: { ...Uuid, description: 'The session to revoke: one of yours, not the current one.' },
    api: ApiVersionField,
  },
  { additionalProperties: false },
);

/** Refreshing tokens, listing sessions and revoking them (the sessions spec's revocation endpoints). */
export function sessionRoutes(keycard: Keycard, cookies: TrustedOrigins): FastifyPluginAsyncTypebox {
  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async functions
  return async (app) => {
    const authenticated = requireSession(keycard, cookies);

    app.post(
      '/session/refresh',
      {
        schema: withErrorCodes(
          [
            'refresh_token_invalid',
            'refresh_token_reused',
            'session_expired',
            'session_revoked',
            'csrf_rejected',
            'rate_limited',
            'store_unavailable',
          ],
          {
            summary: 'Refresh tokens',
            description:
              'Exchanges a refresh token for a new pair; both rotate and the idle expiry slides. A token presented ' +
              'again within the grace period gets the same new pair; later, the session is revoked as stolen. ' +
              'Without `refresh_token` in the body, the refresh cookie is exchanged and the new pair set as cookies.',
            tags: ['sessions'],
            body: RefreshBody,
            querystring: ApiVersionQuery,
            response: {
              200: Type.Object(
                { session: SessionBody, tokens: Type.Optional(TokensBody) },
                { additionalProperties: false, description: 'The session and its new tokens.' },
              ),
            },
          },
        ),
        // A browser refreshing by cookie has nothing to send.
        preValidation: emptyBodyWhenAbsent,
      },
      async (request, reply) => {
        const { refresh_token: fromBody, transport } = request.body;
        let refreshToken = fromBody;
        let asCookies = wantsCookieTransport(request, transport);
        if (refreshToken === undefined) {
          refreshToken = cookieOf(request, REFRESH_COOKIE);
          if (refreshToken === undefined) {
            throw new KeycardError('invalid_request', {
              message: 'refresh_token: is required (in the body, or as the refresh cookie).',
              details: { field: 'refresh_token' },
            });
          }
          request.sessionCookieUsed = true;
          asCookies = true;
        }
        // Refreshing by cookie rotates the session's tokens, and setting cookies signs a browser in: both only
        // for a page of a trusted origin, as any other state-changing cookie request.
        if (asCookies) checkCsrf(request, cookies);
        const { session, tokens } = await keycard.refresh(refreshToken, requestContextOf(request));
        return {
          session: presentSession(session, keycard.lifetimes),
          ...handOutTokens(reply, tokens, asCookies),
        };
      },
    );

    app.get(
      '/sessions',
      {
        schema: withErrorCodes(ACCESS_TOKEN_ERRORS, {
          summary: 'List your sessions',
          description: 'The caller’s live sessions, most recently active first; `current` marks this one.',
          tags: ['sessions'],
          security: BEARER_SECURITY,
          querystring: ApiVersionQuery,
          response: {
            200: Type.Object(
              { sessions: Type.Array(SessionListItem) },
              { additionalProperties: false, description: 'The sessions.' },
            ),
          },
        }),
        preHandler: authenticated,
      },
      async (request) => {
        const caller = callerOf(request);
        const sessions = await keycard.listSessions(caller);
        return { sessions: sessions.map((session) => presentSessionListItem(session, caller.session.uuid)) };
      },
    );

    app.delete(
      '/session',
      {
        schema: withErrorCodes(
          [...ACCESS_TOKEN_ERRORS, 'session_not_found', 'cannot_revoke_current', 'csrf_rejected'],
          {
            summary: 'Revoke one of your sessions',
            description:
              'Ends another session of the caller (reason `revoked`); to end the current one, sign out.',
            tags: ['sessions'],
            security: BEARER_SECURITY,
            body: RevokeBody,
            querystring: ApiVersionQuery,
            response: { 204: { ...NoContent, description: 'Revoked.' } },
          },
        ),
        preHandler: authenticated,
      },
      async (request, reply) => {
        // UUIDs are case-insensitive on input (RFC 9562); sessions are stored and compared in lower case.
        await keycard.revokeSession(
          callerOf(request),
          request.body.uuid.toLowerCase(),
          requestContextOf(request),
        );
        return reply.code(204).send(null);
      },
    );

    app.delete(
      '/sessions',
      {
        schema: withErrorCodes([...ACCESS_TOKEN_ERRORS, 'csrf_rejected'], {
          summary: 'Revoke your other sessions',
          description:
            'Ends every session of the caller but the current one (reason `revoked_others`). No body.',
          tags: ['sessions'],
          security: BEARER_SECURITY,
          body: NoBody,
          querystring: ApiVersionQuery,
          response: { 204: { ...NoContent, description: 'Revoked.' } },
        }),
        preValidation: emptyBodyWhenAbsent,
        preHandler: authenticated,
      },
      async (request, reply) => {
        await keycard.revokeOtherSessions(callerOf(request), requestContextOf(request));
        return reply.code(204).send(null);
      },
    );
  };
}
