import type { FastifyInstance, InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { type ErrorCode, errorRegistry } from '../src/core/errors.js';
import { errorCodeOf, useTestKeycard } from './support/test-keycard.js';

const t = useTestKeycard();

/** Routes that serve operators, readers and the account page, not API clients: they are not in the document. */
const NOT_DOCUMENTED = new Set([
  '/openapi.json',
  '/docs',
  '/metrics',
  '/',
  '/account.css',
  '/account.js',
  '/client/{module}',
]);
/** Answered for paths no route matches, so it belongs to no operation (the document's description names it). */
const NO_ROUTE_CODES = new Set<string>(['not_found']);

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: ResponseSchema }> }>;
  'x-error-codes'?: string[];
}

interface ResponseSchema {
  properties?: { error?: { properties?: { code?: { enum?: string[] } } } };
}

interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
}

/** Every route the app registered, read from `printRoutes()`'s tree: `METHOD /path`, HEAD left out. */
function registeredRoutes(app: FastifyInstance): { method: string; path: string }[] {
  const routes: { method: string; path: string }[] = [];
  const prefixes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (match === null) continue;
    const depth = (match[1] ?? '').length / 4;
    const path = prefixes.slice(0, depth).join('') + (match[2] ?? '');
    prefixes[depth] = path.slice(prefixes.slice(0, depth).join('').length);
    prefixes.length = depth + 1;
    for (const method of (match[3] ?? '').split(', ').filter((method) => method !== '')) {
      // Path parameters as OpenAPI writes them: `:role` is `{role}`.
      if (method !== 'HEAD') routes.push({ method, path: path.replace(/:(\w+)/g, '{$1}') });
    }
  }
  return routes;
}

async function openApiDocument(): Promise<Document> {
  const response = await t.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(response.statusCode).toBe(200);
  return response.json<Document>();
}

function apiRoutes() {
  return registeredRoutes(t.app).filter(({ path }) => !NOT_DOCUMENTED.has(path));
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists every API route with its summary, request, success response and error codes', async () => {
    const document = await openApiDocument();
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.title).toBe('Keycard');
    const routes = apiRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(9);

    for (const { method, path } of routes) {
      const operation = document.paths[path]?.[method.toLowerCase()];
      expect(operation, `${method} ${path} is not in the document`).toBeDefined();
      if (operation === undefined) continue;
      expect(operation.summary, `${method} ${path} has no summary`).toBeTruthy();
      expect(operation.description, `${method} ${path} has no description`).toBeTruthy();
      expect(operation.tags?.length, `${method} ${path} has no tag`).toBeGreaterThan(0);
      const success = Object.keys(operation.responses).filter((status) => /^2\d\d$/.test(status));
      expect(success, `${method} ${path} has one success response`).toHaveLength(1);
      if (method !== 'GET' && success[0] !== '204') {
        expect(operation.requestBody?.content['application/json']?.schema).toBeDefined();
      }
      if (success[0] !== '204') {
        expect(operation.responses[success[0] ?? '']?.content?.['application/json']?.schema).toBeDefined();
      }

      const codes = operation['x-error-codes'] ?? [];
      expect(codes.length, `${method} ${path} names no error code`).toBeGreaterThan(0);
      for (const code of codes) {
        expect(Object.keys(errorRegistry), `${method} ${path} names an unknown code`).toContain(code);
        // Each code is also in the response of its status, with the status's other codes.
        const status = String(errorRegistry[code as ErrorCode].status);
        const schema = operation.responses[status]?.content?.['application/json']?.schema;
        expect(schema?.properties?.error?.properties?.code?.enum, `${method} ${path} ${status}`).toContain(
          code,
        );
        expect(operation.responses[status]?.description).toContain(`\`${code}\``);
      }
      // And no error status is documented without its codes.
      for (const status of Object.keys(operation.responses).filter((status) => !status.startsWith('2'))) {
        const declared = codes.filter((code) => String(errorRegistry[code as ErrorCode].status) === status);
        expect(declared.length, `${method} ${path} documents ${status} without a code`).toBeGreaterThan(0);
      }
    }
  });

  it('lists no operation that the app does not serve', async () => {
    const document = await openApiDocument();
    const served = new Set(apiRoutes().map(({ method, path }) => `${method} ${path}`));
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const method of Object.keys(operations))
        expect(served).toContain(`${method.toUpperCase()} ${path}`);
    }
  });

  it('names every error code of the registry on some route', async () => {
    const document = await openApiDocument();
    const named = new Set(
      Object.values(document.paths).flatMap((operations) =>
        Object.values(operations).flatMap((operation) => operation['x-error-codes'] ?? []),
      ),
    );
    const unnamed = Object.keys(errorRegistry).filter(
      (code) => !named.has(code) && !NO_ROUTE_CODES.has(code),
    );
    expect(unnamed, 'codes no route declares (add them to its withErrorCodes list)').toEqual([]);
  });

  it('declares every code the routes answer to bad requests', async () => {
    const document = await openApiDocument();
    const probes = (method: string, url: string, operation: Operation): InjectOptions[] => {
      const base = { method: method, url };
      const list: InjectOptions[] = [
        { ...base, url: `${url}?unknown=1` },
        { ...base, url: `${url}?api=19990101` },
        { ...base, headers: { 'content-type': 'text/plain' }, payload: 'hello' },
        { ...base, headers: { 'content-type': 'application/json' }, payload: '{"api": ' },
        { ...base, headers: { 'content-type': 'application/json' }, payload: `"${'x'.repeat(17_000)}"` },
      ];
      if ((operation.security ?? []).length > 0) {
        list.push(base, { ...base, headers: { authorization: 'Bearer not-a-token' } });
      }
      return list;
    };
    for (const { method, path } of apiRoutes()) {
      const operation = document.paths[path]?.[method.toLowerCase()];
      if (operation === undefined) throw new Error(`${method} ${path} is not documented`);
      const declared = operation['x-error-codes'] ?? [];
      for (const probe of probes(method, path, operation)) {
        const response = await t.app.inject(probe);
        if (response.statusCode < 400) continue;
        const code = errorCodeOf(response);
        expect(declared, `${method} ${probe.url as string} answered ${code}`).toContain(code);
      }
      // Unknown query parameters are still refused on every API route.
      const unknown = await t.app.inject({
        method: method,
        url: `${path}?unknown=1`,
      });
      expect(errorCodeOf(unknown)).toBe('invalid_request');
    }
  });
});

describe('the docs page', () => {
  it('renders every operation and its error codes, self-contained: no script, nothing fetched', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    const policy = String(response.headers['content-security-policy']);
    expect(policy).toContain("default-src 'none'");
    expect(policy).not.toContain('script-src');
    const page = response.body;
    expect(page).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//i);

    const document = await openApiDocument();
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const operation of Object.values(operations)) {
        expect(page).toContain(`<code>${path}</code> ${operation.summary ?? ''}`);
        for (const code of operation['x-error-codes'] ?? []) expect(page).toContain(`<code>${code}</code>`);
      }
    }
  });
});
