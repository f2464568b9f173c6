import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Keycard } from '../../keycard.js';
import { requireSession } from '../authenticate-request.js';
import type { TrustedOrigins } from '../cookies/trusted-origins.js';
import { emptyBodyWhenAbsent } from '../empty-body-when-absent.js';
import { callerOf, requestContextOf } from '../request-context.js';
import {
  ApiVersionField,
  ApiVersionQuery,
  isoTime,
  NoBody,
  NoContent,
  Timestamp,
} from '../schemas/common-schemas.js';
import { ACCESS_TOKEN_ERRORS, BEARER_SECURITY, withErrorCodes } from '../schemas/error-responses.js';

/** A password confirmation, as every step-up takes it. */
export const PasswordField = Type.String({ minLength: 1, maxLength: 4096, description: 'Your password.' });

const ElevateBody = Type.Object(
  { password: PasswordField, api: ApiVersionField },
  { additionalProperties: false },
);

/** Step-up ("permify") and its end ("depermify"). */
export function elevationRoutes(keycard: Keycard, cookies?: TrustedOrigins): FastifyPluginAsyncTypebox {
  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async functions
  return async (app) => {
    // The session cookie too (the account page), with the CSRF check cookie requests get.
    const authenticated = requireSession(keycard, cookies);

    app.post(
      '/session/elevate',
      {
        schema: withErrorCodes([...ACCESS_TOKEN_ERRORS, 'invalid_credentials', 'rate_limited'], {
          summary: 'Elevate the current session',
          description:
            'Confirms the password and elevates the current session for `KEYCARD_ELEVATION_TTL` (never past its ' +
            'expiry): sensitive actions (changing the email, deleting the account, the admin API) need it. ' +
            'Rate-limited and locked out like sign-in. A refresh keeps the elevation but does not extend it. ' +
            'With JWT access tokens, the next refresh hands out a token that says so to other services (`elv`).',
          tags: ['sessions'],
          security: BEARER_SECURITY,
          body: ElevateBody,
          querystring: ApiVersionQuery,
          response: {
            200: Type.Object(
              { elevated_until: Timestamp },
              { additionalProperties: false, description: 'Elevated until then.' },
            ),
          },
        }),
        preHandler: authenticated,
      },
      async (request) => {
        const until = await keycard.elevate(
          callerOf(request),
          request.body.password,
          requestContextOf(request),
        );
        return { elevated_until: isoTime(until) };
      },
    );

    app.delete(
      '/session/elevate',
      {
        schema: withErrorCodes(ACCESS_TOKEN_ERRORS, {
          summary: 'Drop the elevation',
          description:
            'Ends the current session’s elevation at once (nothing happens if it had none). No body. The ' +
            'session’s JWT access tokens that claim the elevation (`elv`) get `claims_stale` from then on.',
          tags: ['sessions'],
          security: BEARER_SECURITY,
          body: NoBody,
          querystring: ApiVersionQuery,
          response: { 204: { ...NoContent, description: 'Not elevated any more.' } },
        }),
        preValidation: emptyBodyWhenAbsent,
        preHandler: authenticated,
      },
      async (request, reply) => {
        await keycard.dropElevation(callerOf(request), requestContextOf(request));
        return reply.code(204).send(null);
      },
    );
  };
}
