import type { SessionContext } from '../sessions/session-context.js';
import type { AccessClaims } from '../sessions/jwt-access-tokens.js';
import { readUserAccess } from './user-access.js';
import { NO_ACCESS } from './access-store.js';

/**
 * What a JWT access token of `userUuid` (null: an anonymous session) will say of its roles and permissions (undefined with opaque access
 * tokens, which say nothing and cost no read).
 *
 * Read from the store, not from memory: memory may not have heard yet of a change another node just made, and
 * a token minted from it would carry the old permissions, issued after the change's stamp and so never stale,
 * for its whole lifetime. `readAt` (default: now, before the read) becomes the token's `iat`: the state it
 * carries is at least that fresh, so any stamp bumped after it (a change committed during the read or after)
 * refuses the token. One indexed statement per sign-in and refresh.
 */
export async function readAccessClaims(
  context: SessionContext,
  userUuid: string | null,
  readAt: number = context.clock.now(),
): Promise<AccessClaims | undefined> {
  if (context.jwt.format !== 'jwt') return undefined;
  // An anonymous session (no user) holds nothing.
  return { access: userUuid === null ? NO_ACCESS : await readUserAccess(context, userUuid), readAt };
}
