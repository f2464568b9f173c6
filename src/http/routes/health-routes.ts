import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Keycard } from '../../keycard.js';
import { ApiVersionQuery } from '../schemas/common-schemas.js';
import { withErrorCodes } from '../schemas/error-responses.js';

/** Liveness that means something: 200 only when the store answers. */
export function healthRoutes(keycard: Keycard): FastifyPluginAsyncTypebox {
  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async functions
  return async (app) => {
    app.get(
      '/health',
      {
        schema: withErrorCodes(['store_unavailable'], {
          summary: 'Health',
          description: 'Answers 200 only when the database answers.',
          tags: ['health'],
          querystring: ApiVersionQuery,
          response: {
            200: Type.Object(
              { status: Type.Literal('ok') },
              { additionalProperties: false, description: 'The node and its database answer.' },
            ),
          },
        }),
      },
      async () => {
        await keycard.checkHealth();
        return { status: 'ok' as const };
      },
    );
  };
}
