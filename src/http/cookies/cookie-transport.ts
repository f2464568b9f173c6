import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { KeycardError } from '../../core/errors.js';

export const TRANSPORT_HEADER = 'x-keycard-transport';

/** The `transport` body field of registration, sign-in and refresh. */
export const TransportField = Type.Optional(
  Type.Union([Type.Literal('bearer'), Type.Literal('cookie')], {
    description:
      '`cookie`: the tokens come back as HttpOnly cookies instead of in the body (as does `X-Keycard-Transport: cookie`).',
  }),
);

/**
 * Whether the client asked for its tokens as cookies: `transport: "cookie"` in the body or
 * `X-Keycard-Transport: cookie`. An unknown header value, or a header and a body that disagree, is refused.
 */
export function wantsCookieTransport(request: FastifyRequest, bodyTransport: string | undefined): boolean {
  const header = request.headers[TRANSPORT_HEADER];
  if (header !== undefined && header !== 'cookie' && header !== 'bearer') {
    throw new KeycardError('invalid_request', {
      message: 'X-Keycard-Transport: must be cookie or bearer.',
      details: { field: TRANSPORT_HEADER },
    });
  }
  if (header !== undefined && bodyTransport !== undefined && header !== bodyTransport) {
    throw new KeycardError('invalid_request', {
      message: 'transport: the body and the X-Keycard-Transport header disagree.',
      details: { field: 'transport' },
    });
  }
  return (header ?? bodyTransport) === 'cookie';
}
