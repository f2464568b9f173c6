import { readFileSync } from 'node:fs';
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

/** Keycard’s release, from package.json: three folders up from both `src/http/docs` and `dist/http/docs`. */
function packageVersion(): string {
  const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
  const { version } = JSON.parse(text) as { version?: unknown };
  return typeof version === 'string' ? version : '0.0.0';
}

const DESCRIPTION = `Session and token authentication: email and password accounts, server-side sessions, opaque access and \
refresh tokens that rotate and can be revoked at once.

Bodies are JSON (\`application/json\`, at most 16 KiB), and unknown fields and query parameters are refused. \
Any request may name its API version in the \`X-Api-Version\` header, the \`api\` query parameter or the \`api\` \
body field. Tokens are read only from \`Authorization: Bearer …\` or, for browsers, the session cookie \
(\`transport: "cookie"\`), never from a URL.

Every error is \`{"error": {"code", "message"}}\`, plus \`field\` or \`reason\` where it helps; each operation \
lists the codes it can answer under \`x-error-codes\`. A path that matches no operation answers \`not_found\` (404).`;

/**
 * Collects every route registered after it into an OpenAPI 3.1 document (`app.swagger()`): summaries,
 * request and response schemas and error codes all come from the route schemas. Register before the routes.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Keycard', version: packageVersion(), description: DESCRIPTION },
      tags: [
        { name: 'auth', description: 'Registration, sign-in and sign-out.' },
        { name: 'sessions', description: 'Refreshing tokens, listing and revoking sessions.' },
        { name: 'me', description: 'The caller.' },
        { name: 'health', description: 'Whether this node can serve.' },
      ],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An access token from sign-in or refresh.' },
          cookie: {
            type: 'apiKey',
            in: 'cookie',
            name: '__Host-keycard',
            description:
              'For browsers: the access cookie set by registration, sign-in or refresh with `transport: "cookie"`. ' +
              'State-changing requests by cookie also need `X-Keycard-CSRF: 1` and a trusted `Origin`.',
          },
        },
      },
    },
  });
}
