import { isWellFormedSecret } from './opaque-secret.js';

/**
 * Wire formats of the two opaque tokens. Both name their session, so the server finds it by primary key and
 * then checks the secret:
 *
 * - access token:  `<session uuid>.<secret>`
 * - refresh token: `<session uuid>.<generation>.<secret>`
 *
 * The different shapes mean one can never be accepted where the other is expected.
 */
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GENERATION_PATTERN = /^(0|[1-9]\d{0,8})$/;

export interface AccessTokenParts {
  readonly sessionUuid: string;
  readonly secret: string;
}

export interface RefreshTokenParts extends AccessTokenParts {
  readonly generation: number;
}

export function isUuid(text: string): boolean {
  return UUID_PATTERN.test(text);
}

export function formatAccessToken(sessionUuid: string, secret: string): string {
  return `${sessionUuid}.${secret}`;
}

export function formatRefreshToken(sessionUuid: string, generation: number, secret: string): string {
  return `${sessionUuid}.${generation}.${secret}`;
}

export function parseAccessToken(token: string): AccessTokenParts | undefined {
  const parts = token.split('.');
  if (parts.length !== 2) return undefined;
  const [sessionUuid = '', secret = ''] = parts;
  return isUuid(sessionUuid) && isWellFormedSecret(secret) ? { sessionUuid, secret } : undefined;
}

export function parseRefreshToken(token: string): RefreshTokenParts | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [sessionUuid = '', generationText = '', secret = ''] = parts;
  if (!isUuid(sessionUuid) || !GENERATION_PATTERN.test(generationText) || !isWellFormedSecret(secret)) {
    return undefined;
  }
  return { sessionUuid, generation: Number(generationText), secret };
}
