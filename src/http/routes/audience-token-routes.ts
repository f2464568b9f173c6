import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Keycard } from '../../keycard.js';
import { requireSession } from '../authenticate-request.js';
import { callerOf } from '../request-context.js';
import { ApiVersionQuery } from '../schemas/common-schemas.js';
import { ACCESS_TOKEN_ERRORS, BEARER_SECURITY, withErrorCodes } from '../schemas/error-responses.js';

const AudienceTokenBody = Type.Object(
  { audience: Type.String({ minLength: 1, maxLength: 256, description: 'The service the token is for.' }) },
  { additionalProperties: false },
);

/** `POST /session/token`: a short-lived JWT for one other service, with only the claims declared for it. */
export function audienceTokenRoutes(keycard: Keycard): FastifyPluginAsyncTypebox {
  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async functions
  return async (app) => {
    app.post(
      '/session/token',
      {
        schema: withErrorCodes([...ACCESS_TOKEN_ERRORS, 'audience_unknown'], {
          summary: 'Token for another service',
          description:
            'Mints a JWT (`typ: at+jwt`, at most 5 minutes) whose `aud` is the one service named, carrying only the claims declared for it (least privilege for a call to that service). Keycard itself refuses it as an access token.',
          tags: ['sessions'],
          security: BEARER_SECURITY,
          body: AudienceTokenBody,
          querystring: ApiVersionQuery,
          response: {
            200: Type.Object(
              {
                access_token: Type.String(),
                token_type: Type.Literal('Bearer'),
                expires_in: Type.Integer(),
                audience: Type.String(),
              },
              { additionalProperties: false, description: 'The token for that service.' },
            ),
          },
        }),
        preHandler: requireSession(keycard),
      },
      async (request) => {
        const { audience } = request.body;
        const { token, expiresIn } = await keycard.jwt.mintAudienceToken(callerOf(request), audience);
        return { access_token: token, token_type: 'Bearer' as const, expires_in: expiresIn, audience };
      },
    );
  };
}
