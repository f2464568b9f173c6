import { loadStamps } from '../claims/load-stamps.js';
import type { SessionContext } from '../sessions/session-context.js';
import { userAccess } from './user-access.js';

/**
 * After a sign-in, registration or refresh (which read the store anyway): loads the stamps (once per process)
 * and the user's roles and permissions, so the first requests with the new tokens are answered from memory.
 */
export async function prepareCaller(context: SessionContext, userUuid: string): Promise<void> {
  await loadStamps(context);
  await userAccess(context, userUuid);
}
