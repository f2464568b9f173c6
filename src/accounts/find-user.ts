import type { AccountContext } from './account-context.js';
import { normalizeEmail } from './email.js';
import type { User } from './user.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The account an administrator names by email or by uuid. Throws `invalid_request` for a malformed email. */
export async function findUser(context: AccountContext, emailOrUuid: string): Promise<User | undefined> {
  const name = emailOrUuid.trim();
  if (UUID_PATTERN.test(name)) return context.store.findUserByUuid(name.toLowerCase());
  return context.store.findUserByEmail(normalizeEmail(name));
}
