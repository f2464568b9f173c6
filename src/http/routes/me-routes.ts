import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import type { CachedSession } from '../../sessions/session-cache.js';
import type { Keycard } from '../../keycard.js';
import { requireSessionOrLegacyToken } from '../authenticate-request.js';
import type { TrustedOrigins } from '../cookies/trusted-origins.js';
import { anyCallerOf } from '../request-context.js';
import { ApiVersionQuery, isoTime, Timestamp } from '../schemas/common-schemas.js';
import type { CachedAccess } from '../../access/access-cache.js';
import { BEARER_SECURITY, SESSION_TOKEN_ERRORS, withErrorCodes } from '../schemas/error-responses.js';
import { presentSession, SessionBody } from '../schemas/session-schema.js';
import { presentUser, UserBody } from '../schemas/user-schema.js';

const MeBody = Type.Object(
  {
    user: Type.Union([UserBody, Type.Null()], {
      description: 'The account; null for an anonymous session (its id is the session’s `anonymous_id`).',
    }),
    session: Type.Union([SessionBody, Type.Null()], {
      description: 'The current session; null for a legacy account (version 003) calling with its JWT.',
    }),
    roles: Type.Array(Type.String(), { description: 'The roles the caller holds.' }),
    permissions: Type.Array(Type.String(), {
      description: 'Effective permissions: held directly or through a role, sorted.',
    }),
    elevated_until: Type.Union([Timestamp, Type.Null()], {
      description: 'Until when the session is elevated (POST /session/elevate); null when it is not.',
    }),
  },
  { additionalProperties: false, description: 'The caller’s account and current session.' },
);

/** What an anonymous session holds: no role, no permission. */
const NO_ACCESS: CachedAccess = {
  roles: [],
  permissions: [],
  roleSet: new Set(),
  permissionSet: new Set(),
};

/** The JSON of a presented body, kept on the body itself: JSON.stringify leaves symbol keys out. */
const JSON_TEXT = Symbol('json text');
type PresentedBody = Static<typeof MeBody> & { [JSON_TEXT]?: string };

/**
 * The body's kept JSON, or its JSON now (a legacy account's body, an error reply). A property on the body rather
 * than a WeakMap beside it: one load instead of a hash lookup, on every request.
 */
function serializeOnce(data: unknown): string {
  return (data as PresentedBody | null)?.[JSON_TEXT] ?? JSON.stringify(data);
}

/** Who is calling: the hot path every app hits on every request, answered from the session cache. */
export function meRoutes(keycard: Keycard, cookies?: TrustedOrigins): FastifyPluginAsyncTypebox {
  // Cached sessions are immutable (any change replaces the object), so the presented body of one can be kept
  // with it: this saves five date formats per request, about a tenth of the route's time in the bench.
  // The body also depends on the user's access (one object until it changes) and on whether the elevation
  // has lapsed; both are compared by identity or a boolean, so a steady caller allocates nothing.
  const presented = new WeakMap<
    CachedSession,
    { body: PresentedBody; access: CachedAccess; elevated: boolean }
  >();
  const presentMe = (caller: CachedSession, access: CachedAccess) => {
    const elevated = keycard.isElevated(caller.session);
    let held = presented.get(caller);
    if (held?.access !== access || held.elevated !== elevated) {
      const { elevatedUntil } = caller.session;
      const body: PresentedBody = {
        user: caller.user === null ? null : presentUser(caller.user),
        session: presentSession(caller.session, keycard.lifetimes),
        roles: [...access.roles],
        permissions: [...access.permissions],
        elevated_until: elevated && elevatedUntil !== null ? isoTime(elevatedUntil) : null,
      };
      body[JSON_TEXT] = JSON.stringify(body);
      held = { body, access, elevated };
      presented.set(caller, held);
    }
    return held.body;
  };
  const me = (caller: CachedSession) => {
    const { user } = caller;
    if (user === null) return presentMe(caller, NO_ACCESS);
    const access = keycard.cachedAccess(user.uuid);
    if (access !== undefined) return presentMe(caller, access);
    return keycard.userAccess(user.uuid).then((loaded) => presentMe(caller, loaded));
  };

  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async functions
  return async (app) => {
    app.get(
      '/me',
      {
        schema: withErrorCodes(SESSION_TOKEN_ERRORS, {
          summary: 'Who is calling',
          description:
            'The account and session of the access token, answered from the session cache. An anonymous session gets `user: null`, no roles or permissions, and its `session.anonymous_id`.',
          tags: ['me'],
          security: BEARER_SECURITY,
          querystring: ApiVersionQuery,
          response: { 200: MeBody },
        }),
        preHandler: requireSessionOrLegacyToken(keycard, cookies, { anonymous: true }),
        // The body of a cached session is one object (see presentMe) and its JSON is kept with it, so a busy
        // session's answer is serialised once. Bodies are built field by field (presentUser, presentSession,
        // the error reply), so plain JSON.stringify cannot let an unlisted field out.
        serializerCompiler: () => serializeOnce,
      },
      // Synchronous: a returned value is sent at once, where a promise would cost another turn of the loop.
      (request) =>
        request.legacyUser === null
          ? me(anyCallerOf(request))
          : {
              user: presentUser(request.legacyUser),
              session: null,
              roles: [],
              permissions: [],
              elevated_until: null,
            },
    );
  };
}
