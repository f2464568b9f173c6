import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, type TSchema, Type } from 'typebox';
import { type AuditEvent, type AuditEventType, auditEventTypes } from '../../audit/audit-event.js';
import { DEFAULT_EVENTS_PAGE_SIZE, MAX_EVENTS_PAGE_SIZE } from '../../audit/list-user-events.js';
import type { Keycard } from '../../keycard.js';
import { requireSession } from '../authenticate-request.js';
import type { TrustedOrigins } from '../cookies/trusted-origins.js';
import { callerOf } from '../request-context.js';
import { ApiVersionQuery, isoTime, Timestamp, Uuid } from '../schemas/common-schemas.js';
import { ACCESS_TOKEN_ERRORS, BEARER_SECURITY, withErrorCodes } from '../schemas/error-responses.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Query strings are text, and validation does not coerce: `limit` is checked as the text of 1 to 100. */
const EventsQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.String({
        pattern: '^([1-9][0-9]?|100)$',
        description: `Events per page, 1 to ${MAX_EVENTS_PAGE_SIZE}; default ${DEFAULT_EVENTS_PAGE_SIZE}.`,
      }),
    ),
    cursor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 128, description: 'The `next_cursor` of the previous page.' }),
    ),
    api: ApiVersionQuery.properties.api,
  },
  { additionalProperties: false },
);

/** The fields a user may see of their own events; the response schema serialises these and nothing else. */
const EventItem = Type.Object(
  {
    type: Type.Unsafe<AuditEventType>({ type: 'string', enum: [...auditEventTypes] }),
    session_uuid: Nullable(Uuid),
    /** Why a session ended, for `revoked`. */
    reason: Nullable(Type.String()),
    ip: Nullable(Type.String()),
    user_agent: Nullable(Type.String()),
    occurred_at: Timestamp,
    actor_uuid: Nullable(
      Type.String({
        format: 'uuid',
        maxLength: 36,
        description: 'The administrator who did it (the admin API), when it was not you; else null.',
      }),
    ),
    role: Nullable(
      Type.String({ description: 'The role given or taken (or, for an administrator, changed).' }),
    ),
    permission: Nullable(
      Type.String({ description: 'The permission given or taken (or, for an administrator, changed).' }),
    ),
  },
  { additionalProperties: false },
);

const EventsBody = Type.Object(
  { events: Type.Array(EventItem), next_cursor: Nullable(Type.String()) },
  { additionalProperties: false, description: 'A page of events, newest first.' },
);

function presentEvent(event: AuditEvent): Static<typeof EventItem> {
  return {
    type: event.type,
    session_uuid: event.sessionUuid,
    reason: event.reason,
    ip: event.ip,
    user_agent: event.userAgent,
    occurred_at: isoTime(event.occurredAt),
    actor_uuid: event.actorUuid,
    role: event.role,
    permission: event.permission,
  };
}

/** The caller's own security history (the audit log). Administrators' access to anyone's waits for roles. */
export function eventsRoutes(keycard: Keycard, cookies?: TrustedOrigins): FastifyPluginAsyncTypebox {
  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async functions
  return async (app) => {
    app.get(
      '/me/events',
      {
        schema: withErrorCodes(ACCESS_TOKEN_ERRORS, {
          summary: 'Your security history',
          description:
            'What happened to your sessions, newest first: created, refreshed, revoked (with the reason), ' +
            'refresh token reuse detected, failed sign-ins; roles and permissions you were given or lost, your ' +
            'account disabled or enabled (with the administrator who did it); with the address and user agent ' +
            'of each. Paged: ' +
            'pass `next_cursor` as `cursor` for the next (older) page; it is null on the last one.',
          tags: ['sessions'],
          security: BEARER_SECURITY,
          querystring: EventsQuery,
          response: { 200: EventsBody },
        }),
        preHandler: requireSession(keycard, cookies),
      },
      async (request) => {
        const { limit, cursor } = request.query;
        const page = await keycard.listOwnEvents(callerOf(request), {
          ...(limit === undefined ? {} : { limit: Number(limit) }),
          ...(cursor === undefined ? {} : { cursor }),
        });
        return { events: page.events.map(presentEvent), next_cursor: page.nextCursor };
      },
    );
  };
}
