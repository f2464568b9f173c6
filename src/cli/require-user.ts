import type { Keycard } from '../keycard.js';
import type { ManagedUser } from '../keycard-admin.js';
import { CommandFailedError } from './exit-codes.js';

/** The user an argument names (email or uuid), or exit 1 saying there is none. */
export async function requireUser(keycard: Keycard, emailOrUuid: string): Promise<ManagedUser> {
  const user = await keycard.admin.findUser(emailOrUuid);
  if (user === undefined) throw new CommandFailedError(`no user ${emailOrUuid}`);
  return user;
}
