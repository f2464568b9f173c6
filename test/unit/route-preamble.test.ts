import Fastify, { type FastifyInstance, type preHandlerHookHandler } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeycardError } from '../../src/core/errors.js';
import { replyWithError } from '../../src/http/error-reply.js';
import { routePreamble } from '../../src/http/route-preamble.js';
import { createTestKeycard, type TestKeycard } from '../support/test-keycard.js';

/**
 * The preamble runs inside each route's handler, with the route's callback-style preHandler: these check that a
 * route answers as it would with Fastify running the preHandler (synchronous or later, passing an error or
 * none), and that other preHandlers are left to Fastify.
 */
describe('routePreamble', () => {
  let test: TestKeycard;
  let app: FastifyInstance;
  let closing = false;
  const calls: string[] = [];

  /** A preHandler like requireSession: calls back at once or on a later turn, with `error` or none. */
  function callback(later: boolean, error?: KeycardError): preHandlerHookHandler {
    return (request, _reply, done) => {
      const finish = () => {
        calls.push(`preHandler ${request.apiVersion}`);
        done(error);
      };
      if (later) setImmediate(finish);
      else finish();
    };
  }

  beforeEach(async () => {
    calls.length = 0;
    closing = false;
    test = await createTestKeycard();
    app = Fastify();
    app.setErrorHandler((error, request, reply) => replyWithError(error, request, reply));
    app.addHook(
      'onRoute',
      routePreamble(test.keycard, () => closing),
    );
    app.get('/plain', () => ({ route: 'plain' }));
    for (const later of [false, true]) {
      const when = later ? 'later' : 'now';
      app.get(`/${when}`, { preHandler: callback(later) }, () => {
        calls.push('handler');
        return { route: when };
      });
      app.get(`/${when}/refused`, { preHandler: callback(later, new KeycardError('token_invalid')) }, () => {
        calls.push('handler');
        return { route: 'refused' };
      });
      app.get(`/${when}/sends`, { preHandler: callback(later) }, (_request, reply) => {
        calls.push('handler');
        // Returns nothing and answers later, as a callback-style handler may.
        setImmediate(() => void reply.send({ sent: 'by reply.send' }));
      });
      app.get(`/${when}/throws`, { preHandler: callback(later) }, () => {
        calls.push('handler');
        throw new KeycardError('not_found');
      });
      app.get(
        `/${when}/answered`,
        {
          preHandler: (request, reply, done) => {
            const answer = () => {
              void reply.code(418).send({ answered: 'by the preHandler' });
              done();
            };
            if (later) setImmediate(answer);
            else answer();
          },
        },
        () => {
          calls.push('handler');
          return { route: 'answered' };
        },
      );
      app.get(`/${when}/async`, { preHandler: callback(later) }, async () => {
        calls.push('handler');
        await new Promise((resolve) => setImmediate(resolve));
        return { route: 'async' };
      });
    }
    app.get(
      '/async-hook',
      {
        // eslint-disable-next-line @typescript-eslint/require-await -- the kind of hook is what is tested
        preHandler: async (request) => {
          calls.push(`async preHandler ${request.apiVersion}`);
        },
      },
      () => {
        calls.push('handler');
        return { route: 'async-hook' };
      },
    );
    await app.ready();
  });

  afterEach(async () => {
    await app.close();
    await test.close();
  });

  it('sets the headers and the API version before a route with no preHandler', async () => {
    const response = await app.inject({ url: '/plain?api=20190520' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ route: 'plain' });
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.connection).not.toBe('close');
  });

  /**
   * Each route with a callback-style preHandler, which calls back now (at once) and later (on another turn): the
   * answer, and what ran before it. Every answer carries the preamble's header, errors too.
   */
  const routes = [
    {
      what: 'runs the preHandler after the preamble and before the handler',
      path: '',
      headers: { 'x-api-version': '20190520' },
      status: 200,
      body: (when: string): unknown => ({ route: when }),
      ran: ['preHandler 20190520', 'handler'],
    },
    {
      what: 'answers the error the preHandler passes on, without running the handler',
      path: '/refused',
      status: 401,
      body: () => ({ error: expect.objectContaining({ code: 'token_invalid' }) as unknown }),
      ran: ['preHandler 20200115'],
    },
    {
      what: 'waits for a handler that answers with reply.send: one answer, not an empty one first',
      path: '/sends',
      status: 200,
      body: () => ({ sent: 'by reply.send' }),
      ran: ['preHandler 20200115', 'handler'],
    },
    {
      what: 'answers the error a handler throws',
      path: '/throws',
      status: 404,
      body: () => ({ error: expect.objectContaining({ code: 'not_found' }) as unknown }),
      ran: ['preHandler 20200115', 'handler'],
    },
    {
      what: 'leaves the handler out when the preHandler answered itself',
      path: '/answered',
      status: 418,
      body: () => ({ answered: 'by the preHandler' }),
      ran: [],
    },
    {
      what: 'awaits an async handler',
      path: '/async',
      status: 200,
      body: () => ({ route: 'async' }),
      ran: ['preHandler 20200115', 'handler'],
    },
  ];

  it.each(routes.flatMap((route) => ['now', 'later'].map((when) => ({ ...route, when }))))(
    '$what (preHandler calling back $when)',
    async ({ when, path, headers, status, body, ran }) => {
      const response = await app.inject({
        url: `/${when}${path}`,
        ...(headers === undefined ? {} : { headers }),
      });
      expect(response.statusCode).toBe(status);
      expect(response.json()).toEqual(body(when));
      expect(response.headers['cache-control']).toBe('no-store');
      expect(calls).toEqual(ran);
    },
  );

  it('leaves an async preHandler to Fastify, after the preamble', async () => {
    const response = await app.inject({ url: '/async-hook?api=20190520' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ route: 'async-hook' });
    expect(response.headers['cache-control']).toBe('no-store');
    expect(calls).toEqual(['async preHandler 20190520', 'handler']);
  });

  it('refuses two different API versions before any preHandler, with its error code', async () => {
    const response = await app.inject({ url: '/now?api=20190520', headers: { 'x-api-version': '20200115' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_request' } });
    expect(calls).toEqual([]);
  });

  it('ends the connection of every answer once the app is closing', async () => {
    closing = true;
    for (const url of ['/plain', '/now', '/later']) {
      const response = await app.inject({ url });
      expect(response.statusCode).toBe(200);
      expect(response.headers.connection).toBe('close');
    }
  });
});
