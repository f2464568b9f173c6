import type { SessionContext } from '../sessions/session-context.js';
import type { User } from './user.js';

/** Lifts `disableUser`: the account can sign in again (its revoked sessions stay revoked). */
export async function enableUser(context: SessionContext, userUuid: string): Promise<User | undefined> {
  return context.store.setUserDisabledAt(userUuid, null, context.clock.now());
}
