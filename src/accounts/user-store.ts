import type { User } from './user.js';

/** What accounts need from storage. */
export interface UserStore {
  findUserByEmail(email: string): Promise<User | undefined>;
  findUserByUuid(uuid: string): Promise<User | undefined>;
}
