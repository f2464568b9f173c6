import type { SessionContext } from '../sessions/session-context.js';
import type { User } from './user.js';

/** Lifts `disableUser`: the account can sign in again (its revoked sessions stay revoked). */
export async function enableUser(context: SessionContext, userUuid: string): Promise<User | undefined> {
  const existing = await context.store.findUserByUuid(userUuid);
  if (existing === undefined) return undefined;
  const user = await context.store.setUserDisabledAt(userUuid, null, context.clock.now());
  if (user !== undefined && existing.disabledAt !== null) context.emit({ type: 'user_enabled', userUuid });
  return user;
}
