import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServerResponse } from 'node:http';
import { Type } from 'typebox';
import type { Keycard } from '../../keycard.js';
import type { RevocationMessage } from '../../verify/revocation-message.js';
import { ApiVersionQuery } from '../schemas/common-schemas.js';
import { withErrorCodes } from '../schemas/error-responses.js';
import { requireServiceKey } from '../service-keys.js';

export interface RevocationRoutesOptions {
  readonly serviceKeys: readonly string[];
  /** How often an idle stream sends a comment, so a verifier notices a dead connection (ms); default 2000. */
  readonly heartbeatMs?: number;
}

const IntrospectionBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 8192 }),
    token_type_hint: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

const IntrospectionResponse = Type.Object(
  {
    active: Type.Boolean(),
    sub: Type.Optional(Type.String()),
    sid: Type.Optional(Type.String()),
    iss: Type.Optional(Type.String()),
    aud: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
    exp: Type.Optional(Type.Number()),
    iat: Type.Optional(Type.Number()),
    jti: Type.Optional(Type.String()),
    ver: Type.Optional(Type.String()),
    api: Type.Optional(Type.String()),
    kcp: Type.Optional(Type.String()),
    anon: Type.Optional(
      Type.Boolean({ description: 'An anonymous session’s token: `sub` is its anonymous id.' }),
    ),
    aid: Type.Optional(
      Type.String({ description: 'The anonymous id (see `anon`), or the one a user’s session came from.' }),
    ),
    token_type: Type.Optional(Type.Literal('access_token')),
  },
  { additionalProperties: false, description: 'RFC 7662: `active` and, when active, the token’s claims.' },
);

/**
 * What other services use to follow revocations: the Server-Sent Events stream of ended sessions and stamps,
 * and token introspection (RFC 7662), the fallback while the stream is down. Both require a service key.
 */
export function revocationRoutes(
  keycard: Keycard,
  options: RevocationRoutesOptions,
): FastifyPluginAsyncTypebox {
  const heartbeatMs = options.heartbeatMs ?? 2000;
  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async functions
  return async (app) => {
    const streams = new Set<ServerResponse>();
    // Open streams never end by themselves: close them first, or closing the server would wait for ever.
    app.addHook('preClose', (done) => {
      for (const stream of streams) stream.end();
      done();
    });
    // RFC 7662 clients post forms; JSON is accepted too. Only in this plugin (Fastify encapsulates parsers).
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, done) => {
        done(
          null,
          Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))),
        );
      },
    );
    const serviceKey = requireServiceKey(options.serviceKeys);

    app.get(
      '/events/revocations',
      {
        preHandler: serviceKey,
        schema: withErrorCodes(['service_key_invalid', 'store_unavailable'], {
          summary: 'Revocation stream (Server-Sent Events)',
          description:
            'For other services (`keycard/verify`), with `Authorization: Bearer <service key>`. Each event’s `data` is a JSON message: first a `snapshot` (sessions ended within a token lifetime, stamps), then `ended` (sessions) and `stamp` messages as they happen. A comment every 2 s keeps the connection alive.',
          tags: ['services'],
          querystring: ApiVersionQuery,
          response: { 200: Type.String({ description: '`text/event-stream`' }) },
        }),
      },
      async (request, reply) => {
        // Subscribed before the snapshot is read, so nothing that happens meanwhile is lost (it is queued).
        let queue: RevocationMessage[] | undefined = [];
        const write = (message: RevocationMessage) => {
          reply.raw.write(`data: ${JSON.stringify(message)}\n\n`);
        };
        const unsubscribe = keycard.revocations.subscribe((message) => {
          if (queue === undefined) write(message);
          else queue.push(message);
        });
        let snapshot: RevocationMessage;
        try {
          snapshot = await keycard.jwt.revocationSnapshot();
        } catch (error) {
          unsubscribe();
          throw error;
        }
        reply.hijack();
        reply.raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        write(snapshot);
        for (const message of queue) write(message);
        queue = undefined;
        streams.add(reply.raw);
        const heartbeat = setInterval(() => reply.raw.write(': keepalive\n\n'), heartbeatMs);
        heartbeat.unref();
        request.raw.once('close', () => {
          clearInterval(heartbeat);
          unsubscribe();
          streams.delete(reply.raw);
        });
      },
    );

    app.post(
      '/introspect',
      {
        preHandler: serviceKey,
        schema: withErrorCodes(['service_key_invalid', 'store_unavailable'], {
          summary: 'Token introspection (RFC 7662)',
          description:
            'For other services, with `Authorization: Bearer <service key>`: whether a token is active now (signature, claims, stamps, and its session still live). Form-encoded or JSON body.',
          tags: ['services'],
          querystring: ApiVersionQuery,
          body: IntrospectionBody,
          response: { 200: IntrospectionResponse },
        }),
      },
      async (request) => {
        const result = await keycard.jwt.introspect(request.body.token);
        if (!result.active) return { active: false };
        const { aud, ...rest } = result;
        return {
          ...rest,
          ...(aud === undefined ? {} : { aud: typeof aud === 'string' ? aud : [...aud] }),
          token_type: 'access_token' as const,
        };
      },
    );
  };
}
