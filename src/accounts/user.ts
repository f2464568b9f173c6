/** Account versions: `003` is the legacy JWT account, `004` the current one with server-side sessions. */
export const CURRENT_ACCOUNT_VERSION = '004';

/** What a request needs to know about its caller: the user without the password hash. */
export type SessionUser = Omit<User, 'passwordHash' | 'disabledAt'>;

export function withoutPasswordHash(user: User): SessionUser {
  return {
    uuid: user.uuid,
    email: user.email,
    version: user.version,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}

export interface User {
  readonly uuid: string;
  /** Trimmed and lower-cased. */
  readonly email: string;
  /** argon2id PHC string; never leaves the server. */
  readonly passwordHash: string;
  readonly version: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** When an administrator disabled the account (it cannot sign in); null while it is enabled. */
  readonly disabledAt: number | null;
}
