import type { FastifyRequest } from 'fastify';
import { KeycardError } from '../core/errors.js';
import type { Keycard } from '../keycard.js';

/**
 * The API version of a request: the `X-Api-Version` header, the `api` query parameter or the `api` body field.
 * Naming two different versions is an error rather than a silent choice.
 */
export function resolveRequestApiVersion(keycard: Keycard, request: FastifyRequest): string {
  const header = request.headers['x-api-version'];
  const query = request.query as { api?: unknown } | undefined;
  const body: unknown = request.body;
  const inBody = typeof body === 'object' && body !== null && 'api' in body;
  // Most requests name no version: answer those without building the set below (this runs on every request).
  if (header === undefined && query?.api === undefined && !inBody)
    return keycard.resolveApiVersion(undefined);

  const candidates = new Set<string>();
  if (typeof header === 'string') candidates.add(header.trim());
  if (typeof query?.api === 'string') candidates.add(query.api);
  if (inBody && typeof body.api === 'string') candidates.add(body.api);
  if (candidates.size > 1) {
    throw new KeycardError('invalid_request', {
      message: 'api: the request names more than one API version.',
      details: { field: 'api' },
    });
  }
  const [requested] = candidates;
  return keycard.resolveApiVersion(requested);
}
