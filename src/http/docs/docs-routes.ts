import type { FastifyPluginAsync } from 'fastify';
import { DOCS_PAGE_CSP, type OpenApiDocument, renderDocsPage } from './render-docs-page.js';

/**
 * `GET /openapi.json` (the OpenAPI 3.1 document built from the route schemas) and `GET /docs` (a page that
 * renders it). Both are built once, on first request, when every route is known; neither is listed in the
 * document itself.
 */
export function docsRoutes(): FastifyPluginAsync {
  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async functions
  return async (app) => {
    let page: string | undefined;

    app.get('/openapi.json', { schema: { hide: true } }, (_request, reply) =>
      reply.type('application/json; charset=utf-8').send(app.swagger()),
    );

    app.get('/docs', { schema: { hide: true } }, (_request, reply) => {
      // The page reads only the parts of the document it declares (a subset of OpenAPI 3.1, which
      // @fastify/swagger types as a union with older versions).
      page ??= renderDocsPage(app.swagger() as unknown as OpenApiDocument);
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', DOCS_PAGE_CSP)
        .header('x-content-type-options', 'nosniff')
        .send(page);
    });
  };
}
