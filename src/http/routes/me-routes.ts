import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import type { CachedSession } from '../../sessions/session-cache.js';
import type { Keycard } from '../../keycard.js';
import { requireSessionOrLegacyToken } from '../authenticate-request.js';
import { callerOf } from '../request-context.js';
import { ApiVersionQuery } from '../schemas/common-schemas.js';
import { ACCESS_TOKEN_ERRORS, BEARER_SECURITY, withErrorCodes } from '../schemas/error-responses.js';
import { presentSession, SessionBody } from '../schemas/session-schema.js';
import { presentUser, UserBody } from '../schemas/user-schema.js';

const MeBody = Type.Object(
  {
    user: UserBody,
    session: Type.Union([SessionBody, Type.Null()], {
      description: 'The current session; null for a legacy account (version 003) calling with its JWT.',
    }),
  },
  { additionalProperties: false, description: 'The caller’s account and current session.' },
);

const serialized = new WeakMap<object, string>();

function serializeOnce(data: unknown): string {
  if (typeof data !== 'object' || data === null) return JSON.stringify(data);
  let json = serialized.get(data);
  if (json === undefined) {
    json = JSON.stringify(data);
    serialized.set(data, json);
  }
  return json;
}

/** Who is calling: the hot path every app hits on every request, answered from the session cache. */
export function meRoutes(keycard: Keycard): FastifyPluginAsyncTypebox {
  // Cached sessions are immutable (any change replaces the object), so the presented body of one can be kept
  // with it: this saves five date formats per request, about a tenth of the route's time in the bench.
  const presented = new WeakMap<CachedSession, Static<typeof MeBody>>();
  const presentMe = (caller: CachedSession) => {
    let body = presented.get(caller);
    if (body === undefined) {
      body = { user: presentUser(caller.user), session: presentSession(caller.session, keycard.lifetimes) };
      presented.set(caller, body);
    }
    return body;
  };

  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async functions
  return async (app) => {
    app.get(
      '/me',
      {
        schema: withErrorCodes(ACCESS_TOKEN_ERRORS, {
          summary: 'Who is calling',
          description: 'The account and session of the access token, answered from the session cache.',
          tags: ['me'],
          security: BEARER_SECURITY,
          querystring: ApiVersionQuery,
          response: { 200: MeBody },
        }),
        preHandler: requireSessionOrLegacyToken(keycard),
        // The body of a cached session is one object (see presentMe) and its JSON is kept with it, so a busy
        // session's answer is serialised once. Bodies are built field by field (presentUser, presentSession,
        // the error reply), so plain JSON.stringify cannot let an unlisted field out.
        serializerCompiler: () => serializeOnce,
      },
      // Synchronous: a returned value is sent at once, where a promise would cost another turn of the loop.
      (request) =>
        request.legacyUser === null
          ? presentMe(callerOf(request))
          : { user: presentUser(request.legacyUser), session: null },
    );
  };
}
