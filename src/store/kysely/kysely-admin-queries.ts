import type { Kysely, Updateable } from 'kysely';
import { KeycardError, type RevocationReason } from '../../core/errors.js';
import type { UserStore } from '../../accounts/user-store.js';
import type { EndedSession, SessionFilter, SessionStore } from '../../sessions/session-store.js';
import type { KeycardDatabase, UsersTable } from './database.js';
import type { KyselyDialectErrors } from './kysely-store.js';
import { sessionFromRow, userFromRow, userToRow } from './session-rows.js';
import { keepingHolder } from './keeping-holder.js';

type Guard = <T>(operation: () => Promise<T>) => Promise<T>;
type MoveToRevoked = (
  uuids: readonly string[],
  reason: RevocationReason,
  revokedAt: number,
) => Promise<EndedSession[]>;

export type AdminQueries = Pick<
  UserStore,
  | 'createUser'
  | 'listUsers'
  | 'setUserDisabledAt'
  | 'setUserVersion'
  | 'setUserPassword'
  | 'setUserEmail'
  | 'deleteUser'
> &
  Pick<SessionStore, 'listSessions' | 'revokeSessions'>;

/**
 * What administration (the command line) needs beyond the request path: accounts without a session, listing,
 * disabling, and sessions selected by user, API version or group. Sessions by API version are found by a scan (there
 * is no index on `version`): an occasional administrator's query is not worth an index every insert pays for.
 */
export function createKyselyAdminQueries(
  db: Kysely<KeycardDatabase>,
  guard: Guard,
  errors: KyselyDialectErrors,
  moveToRevoked: MoveToRevoked,
): AdminQueries {
  const sessionsMatching = (filter: SessionFilter) => {
    let query = db.selectFrom('sessions');
    if (filter.userUuid !== undefined) query = query.where('user_uuid', '=', filter.userUuid);
    if (filter.apiVersion !== undefined) query = query.where('version', '=', filter.apiVersion);
    // The partial index on group_id (migration 0009) holds exactly the sessions in a group.
    if (filter.groupId !== undefined) query = query.where('group_id', '=', filter.groupId);
    return query;
  };

  const updateUser = (uuid: string, changes: Updateable<UsersTable>, keep?: string) =>
    guard(async () => {
      const update = (trx: Kysely<KeycardDatabase>) =>
        trx.updateTable('users').set(changes).where('uuid', '=', uuid).execute();
      if (keep === undefined) await update(db);
      else await keepingHolder(db, keep, update);
      const row = await db.selectFrom('users').selectAll().where('uuid', '=', uuid).executeTakeFirst();
      return row === undefined ? undefined : userFromRow(row);
    });

  return {
    createUser: (user) =>
      guard(async () => {
        try {
          await db.insertInto('users').values(userToRow(user)).execute();
        } catch (error) {
          if (errors.isUniqueViolation(error)) throw new KeycardError('email_taken', { cause: error });
          throw error;
        }
      }),

    listUsers: ({ limit, afterEmail }) =>
      guard(async () => {
        let query = db.selectFrom('users').selectAll().orderBy('email').limit(limit);
        if (afterEmail !== undefined) query = query.where('email', '>', afterEmail);
        return (await query.execute()).map(userFromRow);
      }),

    setUserDisabledAt: (uuid, disabledAt, updatedAt, keep) =>
      updateUser(uuid, { disabled_at: disabledAt, updated_at: updatedAt }, keep),
    setUserVersion: (uuid, version, updatedAt) => updateUser(uuid, { version, updated_at: updatedAt }),

    setUserPassword: (uuid, passwordHash, updatedAt) =>
      guard(async () => {
        const result = await db
          .updateTable('users')
          .set({ password_hash: passwordHash, updated_at: updatedAt })
          .where('uuid', '=', uuid)
          .executeTakeFirst();
        return result.numUpdatedRows === 1n;
      }),

    setUserEmail: (uuid, email, updatedAt) =>
      guard(async () => {
        try {
          const result = await db
            .updateTable('users')
            .set({ email, updated_at: updatedAt })
            .where('uuid', '=', uuid)
            .executeTakeFirst();
          return result.numUpdatedRows === 1n;
        } catch (error) {
          if (errors.isUniqueViolation(error)) throw new KeycardError('email_taken', { cause: error });
          throw error;
        }
      }),

    deleteUser: (uuid) =>
      guard(() =>
        db.transaction().execute(async (trx) => {
          // Sessions, user_roles and user_permissions cascade; the audit log has no foreign key.
          await trx.deleteFrom('session_events').where('user_uuid', '=', uuid).execute();
          const result = await trx.deleteFrom('users').where('uuid', '=', uuid).executeTakeFirst();
          return result.numDeletedRows === 1n;
        }),
      ),

    listSessions: (filter, limit) =>
      guard(async () => {
        const rows = await sessionsMatching(filter)
          .selectAll()
          .orderBy('created_at')
          .orderBy('uuid')
          .limit(limit)
          .execute();
        return rows.map(sessionFromRow);
      }),

    revokeSessions: (filter, reason, revokedAt, limit) =>
      guard(async () => {
        const rows = await sessionsMatching(filter).select('uuid').limit(limit).execute();
        return moveToRevoked(
          rows.map((row) => row.uuid),
          reason,
          revokedAt,
        );
      }),
  };
}
