import type { FastifyRequest } from 'fastify';

/**
 * Where pages that use Keycard with cookies may come from: Keycard's own origin, always, and the origins of
 * `KEYCARD_TRUSTED_ORIGINS`. The CSRF check and CORS both follow it.
 */
export interface TrustedOrigins {
  readonly others: ReadonlySet<string>;
}

export function trustedOrigins(origins: readonly string[] = []): TrustedOrigins {
  return { others: new Set(origins) };
}

/** Keycard's own origin as the browser sees it (behind a trusted proxy, the forwarded scheme and host). */
export function ownOriginOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

export function isTrustedOrigin(request: FastifyRequest, origins: TrustedOrigins, origin: string): boolean {
  return origin === ownOriginOf(request) || origins.others.has(origin);
}
