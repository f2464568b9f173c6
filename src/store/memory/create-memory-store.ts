import { KeycardError, type RevocationReason } from '../../core/errors.js';
import { type User, withoutPasswordHash } from '../../accounts/user.js';
import type { RevokedSession, Session } from '../../sessions/session.js';
import { lifetimeClassOf } from '../../sessions/session-lifetimes.js';
import type { EndedSession, SessionFilter } from '../../sessions/session-store.js';
import type { KeycardStore } from '../kysely/kysely-store.js';
import { createMemoryAuditLog } from './memory-audit-log.js';
import { createMemorySigningKeys } from './memory-signing-keys.js';
import { createMemoryClaimsStamps } from './memory-claims-stamps.js';
import { createMemoryAccessStore } from './memory-access-store.js';

/**
 * A complete store in process memory: the same contract as the SQL stores (it runs the same test suite), for
 * tests and for trying Keycard out. Everything is lost when the process ends, and the sweep scans every session,
 * so it is not meant for production.
 */
export function createMemoryStore(): KeycardStore {
  const users = new Map<string, User>();
  const userUuidByEmail = new Map<string, string>();
  const sessions = new Map<string, Session>();
  const revoked = new Map<string, RevokedSession>();
  /** When each session's elevation or group last changed (the SQL stores' `elevation_changed_at`). */
  const changedAt = new Map<string, number>();
  let closed = false;
  const auditLog = createMemoryAuditLog(() => checkOpen());
  const access = createMemoryAccessStore(
    () => checkOpen(),
    (uuid) => users.get(uuid),
  );

  function updateUser(uuid: string, changes: Partial<User>): User | undefined {
    const user = users.get(uuid);
    if (user === undefined) return undefined;
    const changed = { ...user, ...changes };
    users.set(uuid, changed);
    return changed;
  }

  function checkOpen(): void {
    if (closed) throw new KeycardError('store_unavailable');
  }

  function moveToRevoked(uuid: string, reason: RevocationReason, revokedAt: number): boolean {
    const session = sessions.get(uuid);
    if (session === undefined) return false;
    sessions.delete(uuid);
    changedAt.delete(uuid);
    if (!revoked.has(uuid)) {
      revoked.set(uuid, {
        uuid,
        userUuid: session.userUuid,
        reason,
        revokedAt,
        userAgent: session.userAgent,
        apiVersion: session.apiVersion,
        accessHash: session.accessHash,
        refreshHash: session.refreshHash,
        refreshGeneration: session.refreshGeneration,
      });
    }
    return true;
  }

  /** Whether the user of a new session exists and is enabled (a session is only created for such a user). */
  function userMayStart(session: Session): boolean {
    const user = session.userUuid === null ? undefined : users.get(session.userUuid);
    return user !== undefined && user.disabledAt === null;
  }

  const matches = (session: Session, filter: SessionFilter): boolean =>
    (filter.userUuid === undefined || session.userUuid === filter.userUuid) &&
    (filter.apiVersion === undefined || session.apiVersion === filter.apiVersion) &&
    (filter.groupId === undefined || session.groupId === filter.groupId);

  // Every method is async like a real store's, so callers meet the same interleavings.
  /* eslint-disable @typescript-eslint/require-await */
  return {
    ...auditLog,
    ...createMemorySigningKeys(checkOpen),
    ...createMemoryClaimsStamps(checkOpen),
    ...access,
    async findUserByEmail(email) {
      checkOpen();
      const uuid = userUuidByEmail.get(email);
      return uuid === undefined ? undefined : users.get(uuid);
    },
    async findUserByUuid(uuid) {
      checkOpen();
      return users.get(uuid);
    },
    async createUserWithSession(user, session) {
      checkOpen();
      if (userUuidByEmail.has(user.email)) throw new KeycardError('email_taken');
      users.set(user.uuid, user);
      userUuidByEmail.set(user.email, user.uuid);
      sessions.set(session.uuid, session);
    },
    async createUser(user) {
      checkOpen();
      if (userUuidByEmail.has(user.email)) throw new KeycardError('email_taken');
      users.set(user.uuid, user);
      userUuidByEmail.set(user.email, user.uuid);
    },
    async listUsers({ limit, afterEmail }) {
      checkOpen();
      return [...users.values()]
        .filter((user) => afterEmail === undefined || user.email > afterEmail)
        .sort((a, b) => (a.email < b.email ? -1 : 1))
        .slice(0, limit);
    },
    async setUserDisabledAt(uuid, disabledAt, updatedAt, keep) {
      checkOpen();
      const before = users.get(uuid);
      return access.keeping(
        keep,
        () => updateUser(uuid, { disabledAt, updatedAt }),
        () => {
          if (before !== undefined) users.set(uuid, before);
        },
      );
    },
    async setUserVersion(uuid, version, updatedAt) {
      checkOpen();
      return updateUser(uuid, { version, updatedAt });
    },
    async setUserPassword(uuid, passwordHash, updatedAt) {
      checkOpen();
      const user = users.get(uuid);
      if (user === undefined) return false;
      users.set(uuid, { ...user, passwordHash, updatedAt });
      return true;
    },
    async setUserEmail(uuid, email, updatedAt) {
      checkOpen();
      const user = users.get(uuid);
      if (user === undefined) return false;
      const holder = userUuidByEmail.get(email);
      if (holder !== undefined && holder !== uuid) throw new KeycardError('email_taken');
      userUuidByEmail.delete(user.email);
      userUuidByEmail.set(email, uuid);
      users.set(uuid, { ...user, email, updatedAt });
      return true;
    },
    async deleteUser(uuid) {
      checkOpen();
      const user = users.get(uuid);
      if (user === undefined) return false;
      for (const session of [...sessions.values()]) {
        if (session.userUuid === uuid) {
          sessions.delete(session.uuid);
          changedAt.delete(session.uuid);
        }
      }
      access.forgetUser(uuid);
      await auditLog.deleteUserAuditEvents(uuid);
      userUuidByEmail.delete(user.email);
      users.delete(uuid);
      return true;
    },
    async listSessions(filter, limit) {
      checkOpen();
      return [...sessions.values()]
        .filter((session) => matches(session, filter))
        .sort((a, b) => a.createdAt - b.createdAt || (a.uuid < b.uuid ? -1 : 1))
        .slice(0, limit);
    },
    async revokeSessions(filter, reason, revokedAt, limit) {
      checkOpen();
      return [...sessions.values()]
        .filter((session) => matches(session, filter))
        .slice(0, limit)
        .map((session) => ({ uuid: session.uuid, userUuid: session.userUuid }))
        .filter((ended) => moveToRevoked(ended.uuid, reason, revokedAt));
    },
    async createSession(session) {
      checkOpen();
      if (!userMayStart(session)) return false;
      sessions.set(session.uuid, session);
      return true;
    },
    async createAnonymousSession(session) {
      checkOpen();
      if (session.userUuid !== null) throw new TypeError('an anonymous session has no user');
      sessions.set(session.uuid, session);
    },
    async createUpgradedSession(session, anonymousSessionUuid, endedAt, newUser) {
      checkOpen();
      const anonymous = sessions.get(anonymousSessionUuid);
      if (
        anonymous === undefined ||
        anonymous.userUuid !== null ||
        anonymous.anonymousId !== session.anonymousId
      ) {
        return 'anonymous_gone';
      }
      if (newUser !== undefined && userUuidByEmail.has(newUser.email)) throw new KeycardError('email_taken');
      if (newUser === undefined && !userMayStart(session)) return 'refused';
      moveToRevoked(anonymousSessionUuid, 'upgraded', endedAt);
      if (newUser !== undefined) {
        users.set(newUser.uuid, newUser);
        userUuidByEmail.set(newUser.email, newUser.uuid);
      }
      sessions.set(session.uuid, session);
      return 'created';
    },
    async findSession(uuid) {
      checkOpen();
      return sessions.get(uuid);
    },
    async findSessionAndUser(uuid) {
      checkOpen();
      const session = sessions.get(uuid);
      if (session === undefined) return undefined;
      if (session.userUuid === null) return { session, user: null };
      const user = users.get(session.userUuid);
      return user === undefined ? undefined : { session, user: withoutPasswordHash(user) };
    },
    async findRevokedSession(uuid) {
      checkOpen();
      return revoked.get(uuid);
    },
    async listUserSessions(userUuid) {
      checkOpen();
      return [...sessions.values()].filter((session) => session.userUuid === userUuid);
    },
    async touchSession(uuid, updatedAt) {
      checkOpen();
      const session = sessions.get(uuid);
      if (session !== undefined && session.updatedAt < updatedAt)
        sessions.set(uuid, { ...session, updatedAt });
    },
    async rotateSessionTokens(uuid, expectedRefreshHash, rotation) {
      checkOpen();
      const session = sessions.get(uuid);
      if (session?.refreshHash !== expectedRefreshHash) return false;
      sessions.set(uuid, { ...session, ...rotation });
      return true;
    },
    async setSessionElevation(uuid, elevatedUntil, at) {
      checkOpen();
      const session = sessions.get(uuid);
      if (session === undefined) return false;
      sessions.set(uuid, { ...session, elevatedUntil });
      changedAt.set(uuid, at);
      return true;
    },
    async setSessionGroup(uuid, groupId, at) {
      checkOpen();
      const session = sessions.get(uuid);
      if (session === undefined) return false;
      sessions.set(uuid, { ...session, groupId });
      changedAt.set(uuid, at);
      return true;
    },
    async revokeSession(uuid, reason, revokedAt) {
      checkOpen();
      return moveToRevoked(uuid, reason, revokedAt);
    },
    async revokeUserSessions(userUuid, exceptUuid, reason, revokedAt) {
      checkOpen();
      return [...sessions.values()]
        .filter((session) => session.userUuid === userUuid && session.uuid !== exceptUuid)
        .map((session) => ({ uuid: session.uuid, userUuid: session.userUuid }))
        .filter((ended) => moveToRevoked(ended.uuid, reason, revokedAt));
    },
    async sweepExpiredSessions(now, lifetimes, limit) {
      checkOpen();
      const expired: EndedSession[] = [];
      for (const session of sessions.values()) {
        if (expired.length >= limit) break;
        const idleEndsAt = session.updatedAt + lifetimeClassOf(lifetimes, session).idleSeconds * 1000;
        if (session.expiresAt <= now || idleEndsAt <= now) {
          expired.push({ uuid: session.uuid, userUuid: session.userUuid });
        }
      }
      return expired.filter((ended) => moveToRevoked(ended.uuid, 'expired', now));
    },
    async listSessionChangesSince(since, limit) {
      checkOpen();
      const ended = [...revoked.values()].filter((tombstone) => tombstone.revokedAt >= since);
      const rotated = [...sessions.values()].filter(
        (session) => (session.rotatedAt ?? -1) >= since || (changedAt.get(session.uuid) ?? -1) >= since,
      );
      return {
        ended: ended.slice(0, limit).map((tombstone) => tombstone.uuid),
        rotated: rotated.slice(0, limit).map((session) => session.uuid),
      };
    },
    async countSessions() {
      checkOpen();
      return sessions.size;
    },
    async pruneRevokedSessions(before) {
      checkOpen();
      let pruned = 0;
      for (const [uuid, tombstone] of revoked) {
        if (tombstone.revokedAt < before) {
          revoked.delete(uuid);
          pruned += 1;
        }
      }
      return pruned;
    },
    async ping() {
      checkOpen();
    },
    async close() {
      closed = true;
    },
  };
  /* eslint-enable @typescript-eslint/require-await */
}
