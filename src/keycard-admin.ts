import type { AccountContext } from './accounts/account-context.js';
import { type AccessAdmin, createAccessAdmin } from './access/access-admin.js';
import { createUser } from './accounts/create-user.js';
import { bumpStamp } from './claims/bump-stamp.js';
import type { ClaimsStamp, StampScope } from './claims/claims-stamp.js';
import { disableUser } from './accounts/disable-user.js';
import { enableUser } from './accounts/enable-user.js';
import { findUser } from './accounts/find-user.js';
import type { AccountVersion } from './accounts/legacy-accounts.js';
import { upgradeAccount } from './accounts/upgrade-account.js';
import type { Credentials } from './accounts/register.js';
import type { User } from './accounts/user.js';
import type { UsersPageRequest } from './accounts/user-store.js';
import { endSession } from './sessions/end-session.js';
import { revokeGroup, setSessionGroup } from './sessions/session-groups.js';
import { listMatchingSessions } from './sessions/list-matching-sessions.js';
import { revokeMatchingSessions } from './sessions/revoke-matching-sessions.js';
import type { Session } from './sessions/session.js';
import type { SessionFilter } from './sessions/session-store.js';

/** An account as administration shows it: everything but the password hash. */
export type ManagedUser = Omit<User, 'passwordHash'>;

/**
 * What an administrator may do (the command line today; an admin API guarded by roles later). Revocations go
 * through the same path as a user's own (caches, change feed, events), with reason `revoked_by_admin` or
 * `user_disabled`.
 */
export interface KeycardAdmin {
  /** Throws `invalid_request` (email), `password_too_weak`, `email_taken`. Default version: the current one. */
  createUser(credentials: Credentials, accountVersion?: AccountVersion): Promise<ManagedUser>;
  /** Moves a legacy account (003) to 004: its legacy JWTs end; it signs in to sessions from now on. */
  upgradeUser(userUuid: string): Promise<ManagedUser | undefined>;
  /** By email or uuid; throws `invalid_request` for a malformed email. */
  findUser(emailOrUuid: string): Promise<ManagedUser | undefined>;
  listUsers(page: UsersPageRequest): Promise<ManagedUser[]>;
  /** Undefined when there is no such user. */
  disableUser(userUuid: string): Promise<{ user: ManagedUser; sessionsRevoked: number } | undefined>;
  enableUser(userUuid: string): Promise<ManagedUser | undefined>;
  listSessions(filter: SessionFilter, limit: number): Promise<Session[]>;
  /** False when no live session has that uuid. */
  revokeSession(sessionUuid: string): Promise<boolean>;
  /** Every live session matching `filter` (all of them with an empty one); returns how many. */
  revokeSessions(filter: SessionFilter): Promise<number>;
  /**
   * Moves a claims stamp to now: every token it applies to (a user's, a group's sessions', or with `global`
   * everyone's) issued before is refused with `claims_stale` until its holder refreshes.
   */
  bumpStamp(scope: StampScope, subject: string): Promise<ClaimsStamp>;
  /** Bumps a group's stamp: every token of its sessions issued before is `claims_stale`. Returns when. */
  revokeGroup(groupId: string): Promise<number>;
  /** Puts a live session in a known group, or none; false when no live session has that uuid. */
  setSessionGroup(sessionUuid: string, groupId: string | null): Promise<boolean>;
  /** Roles and permissions: CRUD, assignment; every change bumps the stamps of the users it affects. */
  readonly access: AccessAdmin;
}

const withoutHash = ({ passwordHash: _hash, ...user }: User): ManagedUser => user;

export function createKeycardAdmin(context: AccountContext): KeycardAdmin {
  return {
    createUser: async (credentials, accountVersion) =>
      withoutHash(await createUser(context, credentials, accountVersion)),
    upgradeUser: async (userUuid) => {
      const user = await context.store.findUserByUuid(userUuid);
      return user === undefined ? undefined : withoutHash(await upgradeAccount(context, user));
    },
    findUser: async (emailOrUuid) => {
      const user = await findUser(context, emailOrUuid);
      return user === undefined ? undefined : withoutHash(user);
    },
    listUsers: async (page) => (await context.store.listUsers(page)).map(withoutHash),
    disableUser: async (userUuid) => {
      const disabled = await disableUser(context, userUuid);
      return disabled === undefined
        ? undefined
        : { user: withoutHash(disabled.user), sessionsRevoked: disabled.sessionsRevoked };
    },
    enableUser: async (userUuid) => {
      const user = await enableUser(context, userUuid);
      return user === undefined ? undefined : withoutHash(user);
    },
    listSessions: (filter, limit) => listMatchingSessions(context, filter, limit),
    revokeSession: async (sessionUuid) => {
      const session = await context.store.findSession(sessionUuid);
      return session !== undefined && (await endSession(context, session, 'revoked_by_admin'));
    },
    revokeSessions: (filter) => revokeMatchingSessions(context, filter, 'revoked_by_admin'),
    bumpStamp: (scope, subject) => bumpStamp(context, scope, subject),
    access: createAccessAdmin(context),
    revokeGroup: (groupId) => revokeGroup(context, groupId),
    setSessionGroup: (sessionUuid, groupId) => setSessionGroup(context, sessionUuid, groupId),
  };
}
