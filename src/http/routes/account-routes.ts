import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Keycard } from '../../keycard.js';
import { requireSession } from '../authenticate-request.js';
import type { TrustedOrigins } from '../cookies/trusted-origins.js';
import { callerOf, requestContextOf } from '../request-context.js';
import { ApiVersionField, ApiVersionQuery, NoContent } from '../schemas/common-schemas.js';
import { ACCESS_TOKEN_ERRORS, BEARER_SECURITY, withErrorCodes } from '../schemas/error-responses.js';
import { PasswordField } from './elevation-routes.js';

const PasswordChangeBody = Type.Object(
  {
    current_password: Type.Optional({
      ...PasswordField,
      description: 'Your current password; may be left out when the session is elevated.',
    }),
    new_password: Type.String({ description: '8 to 1024 characters, and not a very common password.' }),
    keep_other_sessions: Type.Optional(
      Type.Boolean({ description: 'true: keep your other sessions signed in (default: revoke them).' }),
    ),
    api: ApiVersionField,
  },
  { additionalProperties: false },
);

const EmailChangeBody = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 320 }), password: PasswordField, api: ApiVersionField },
  { additionalProperties: false },
);

const DeleteAccountBody = Type.Object(
  { password: PasswordField, api: ApiVersionField },
  { additionalProperties: false },
);

/** The caller's own account: password, email, deletion. */
export function accountRoutes(keycard: Keycard, cookies?: TrustedOrigins): FastifyPluginAsyncTypebox {
  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async functions
  return async (app) => {
    // The session cookie too (the account page), with the CSRF check cookie requests get.
    const authenticated = requireSession(keycard, cookies);

    app.put(
      '/me/password',
      {
        schema: withErrorCodes(
          [
            ...ACCESS_TOKEN_ERRORS,
            'password_too_weak',
            'invalid_credentials',
            'elevation_required',
            'rate_limited',
          ],
          {
            summary: 'Change your password',
            description:
              'Needs the current password (or an elevated session). Every other session is revoked (reason ' +
              '`password_changed`) unless `keep_other_sessions` is true, and every token issued before, this ' +
              'one’s included, gets `claims_stale`: refresh it.',
            tags: ['me'],
            security: BEARER_SECURITY,
            body: PasswordChangeBody,
            querystring: ApiVersionQuery,
            response: {
              200: Type.Object(
                { sessions_revoked: Type.Integer({ minimum: 0 }) },
                {
                  additionalProperties: false,
                  description: 'Changed; how many other sessions were revoked.',
                },
              ),
            },
          },
        ),
        preHandler: authenticated,
      },
      async (request) => {
        const { current_password, new_password, keep_other_sessions } = request.body;
        const revoked = await keycard.changePassword(
          callerOf(request),
          {
            newPassword: new_password,
            ...(current_password === undefined ? {} : { currentPassword: current_password }),
            ...(keep_other_sessions === undefined ? {} : { keepOtherSessions: keep_other_sessions }),
          },
          requestContextOf(request),
        );
        return { sessions_revoked: revoked };
      },
    );

    app.put(
      '/me/email',
      {
        schema: withErrorCodes(
          [
            ...ACCESS_TOKEN_ERRORS,
            'invalid_request',
            'email_taken',
            'invalid_credentials',
            'elevation_required',
            'rate_limited',
          ],
          {
            summary: 'Change your email',
            description:
              'Needs an elevated session and the password. Tokens issued before get `claims_stale`: refresh.',
            tags: ['me'],
            security: BEARER_SECURITY,
            body: EmailChangeBody,
            querystring: ApiVersionQuery,
            response: {
              200: Type.Object(
                { email: Type.String() },
                { additionalProperties: false, description: 'The new email, normalised.' },
              ),
            },
          },
        ),
        preHandler: authenticated,
      },
      async (request) => {
        const { email, password } = request.body;
        return {
          email: await keycard.changeEmail(callerOf(request), { email, password }, requestContextOf(request)),
        };
      },
    );

    app.delete(
      '/me',
      {
        schema: withErrorCodes(
          [...ACCESS_TOKEN_ERRORS, 'invalid_credentials', 'elevation_required', 'last_admin', 'rate_limited'],
          {
            summary: 'Delete your account',
            description:
              'Needs an elevated session and the password. Every session ends (reason `account_deleted`) and ' +
              'the account is deleted with everything hanging from it: roles, permissions, security history.',
            tags: ['me'],
            security: BEARER_SECURITY,
            body: DeleteAccountBody,
            querystring: ApiVersionQuery,
            response: { 204: { ...NoContent, description: 'Deleted.' } },
          },
        ),
        preHandler: authenticated,
      },
      async (request, reply) => {
        await keycard.deleteAccount(callerOf(request), request.body.password, requestContextOf(request));
        return reply.code(204).send(null);
      },
    );
  };
}
