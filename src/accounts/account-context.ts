import type { SessionContext } from '../sessions/session-context.js';
import type { PasswordHasher } from './password-hasher.js';

export interface AccountContext extends SessionContext {
  readonly passwordHasher: PasswordHasher;
  /**
   * A hash of no one's password, verified against when the email is unknown so an unknown email and a wrong
   * password take the same time. Lazily made once.
   */
  readonly decoyPasswordHash: () => Promise<string>;
  /** HS256 key of legacy (account version 003) JWTs. */
  readonly legacyJwtKey: Uint8Array;
}
