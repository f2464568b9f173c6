import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Keycard } from '../../keycard.js';
import { ApiVersionQuery } from '../schemas/common-schemas.js';
import { withErrorCodes } from '../schemas/error-responses.js';

/**
 * A published key: public parameters only. The response schema serialises these fields and nothing else, so a
 * private parameter (`d`, `p`, `q`…) or a symmetric `k` cannot leave even if a key object carried one.
 */
const PublicJwk = Type.Object(
  {
    kty: Type.String(),
    crv: Type.Optional(Type.String()),
    x: Type.Optional(Type.String()),
    y: Type.Optional(Type.String()),
    n: Type.Optional(Type.String()),
    e: Type.Optional(Type.String()),
    kid: Type.String(),
    alg: Type.String(),
    use: Type.Literal('sig'),
  },
  { additionalProperties: false },
);

/** Seconds other services may cache the key set: short enough that a rotation is seen well within a JWT's life. */
const JWKS_MAX_AGE_SECONDS = 300;

/** Where other services find Keycard's public keys: the JWKS and the OpenID discovery document pointing to it. */
export function wellKnownRoutes(keycard: Keycard): FastifyPluginAsyncTypebox {
  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async functions
  return async (app) => {
    app.get(
      '/.well-known/jwks.json',
      {
        schema: withErrorCodes(['store_unavailable'], {
          summary: 'Public signing keys (JWKS)',
          description:
            'The keys that verify Keycard’s JWTs: `kid`, `alg`, `use: "sig"` and public parameters only. HS256 keys are never published.',
          tags: ['keys'],
          querystring: ApiVersionQuery,
          response: {
            200: Type.Object(
              { keys: Type.Array(PublicJwk) },
              { additionalProperties: false, description: 'A JSON Web Key Set (RFC 7517).' },
            ),
          },
        }),
      },
      async (_request, reply) => {
        const jwks = await keycard.jwt.publicJwks();
        // Public and the same for everyone: the only answer a shared cache may keep (the onSend hook keeps it).
        reply.header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
        return jwks;
      },
    );

    app.get(
      '/.well-known/openid-configuration',
      {
        schema: withErrorCodes([], {
          summary: 'Discovery document',
          description: 'The issuer and where its keys are (`jwks_uri`), so standard libraries find them.',
          tags: ['keys'],
          querystring: ApiVersionQuery,
          response: {
            200: Type.Object(
              {
                issuer: Type.String(),
                jwks_uri: Type.String(),
                introspection_endpoint: Type.String(),
                id_token_signing_alg_values_supported: Type.Array(Type.String()),
              },
              { additionalProperties: false, description: 'OpenID Provider metadata (a subset).' },
            ),
          },
        }),
      },
      (_request, reply) => {
        const { issuer } = keycard.jwt.settings;
        reply.header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
        return Promise.resolve({
          issuer,
          jwks_uri: `${issuer}/.well-known/jwks.json`,
          introspection_endpoint: `${issuer}/introspect`,
          id_token_signing_alg_values_supported: [keycard.jwt.algorithm],
        });
      },
    );
  };
}
