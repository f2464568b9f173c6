import type { FastifyReply } from 'fastify';
import type { Static } from 'typebox';
import type { SessionTokens } from '../../sessions/session-tokens.js';
import { presentTokens, type TokensBody } from '../schemas/tokens-schema.js';
import { setSessionCookies } from './session-cookies.js';

/**
 * The `tokens` member of a response, or, for a client that asked for cookies, none: the tokens are set as
 * HttpOnly cookies instead, where no script of the page can read them.
 */
export function handOutTokens(
  reply: FastifyReply,
  tokens: SessionTokens,
  asCookies: boolean,
): { tokens?: Static<typeof TokensBody> } {
  if (!asCookies) return { tokens: presentTokens(tokens) };
  setSessionCookies(reply, tokens);
  return {};
}
