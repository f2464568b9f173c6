import { type Static, Type } from 'typebox';
import type { SessionTokens } from '../../sessions/session-tokens.js';

export const TokensBody = Type.Object(
  {
    access_token: Type.String(),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer(),
    refresh_token: Type.String(),
    refresh_expires_in: Type.Integer(),
  },
  { additionalProperties: false },
);

export function presentTokens(tokens: SessionTokens): Static<typeof TokensBody> {
  return {
    access_token: tokens.accessToken,
    token_type: tokens.tokenType,
    expires_in: tokens.expiresIn,
    refresh_token: tokens.refreshToken,
    refresh_expires_in: tokens.refreshExpiresIn,
  };
}
