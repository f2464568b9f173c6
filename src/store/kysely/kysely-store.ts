import { type Kysely, type Selectable, sql } from 'kysely';
import { KeycardError, type RevocationReason } from '../../core/errors.js';
import type { SessionUser, User } from '../../accounts/user.js';
import type { UserStore } from '../../accounts/user-store.js';
import type { RevokedSession, Session, TokenRotation } from '../../sessions/session.js';
import type { SessionLifetimes } from '../../sessions/session-lifetimes.js';
import type { EndedSession, SessionStore, UpgradeOutcome } from '../../sessions/session-store.js';
import type { AuditLogStore } from '../../audit/audit-log-store.js';
import type { ClaimsStampStore } from '../../claims/claims-stamp.js';
import { createKyselyClaimsStamps } from './kysely-claims-stamps.js';
import type { AccessStore } from '../../access/access-store.js';
import { createKyselyAccessStore } from './kysely-access-store.js';
import { compiledOnce } from './compiled-once.js';
import type { KeycardDatabase, SessionsTable, UsersTable } from './database.js';
import { createKyselyAdminQueries } from './kysely-admin-queries.js';
import { createKyselyAuditLog } from './kysely-audit-log.js';
import { createKyselySigningKeys } from './kysely-signing-keys.js';
import type { SigningKeyStore } from '../../tokens/signing-key-store.js';
import {
  ANONYMOUS_CLASS,
  revokedSessionFromRow,
  SESSION_COLUMN_TYPES,
  sessionFromRow,
  sessionToRow,
  userFromRow,
  userToRow,
} from './session-rows.js';

/** What differs between the SQL engines behind Kysely: how their drivers report errors, and row locks. */
export interface KyselyDialectErrors {
  isUniqueViolation(error: unknown): boolean;
  /** The database cannot be reached (refused, reset, shut down); the request may succeed later. */
  isUnavailable(error: unknown): boolean;
  /**
   * Whether the engine takes row locks (`FOR SHARE`): PostgreSQL does; SQLite serialises every write instead,
   * and has no such clause.
   */
  readonly locksRows?: boolean;
}

export type KeycardStore = SessionStore &
  UserStore &
  AuditLogStore &
  SigningKeyStore &
  ClaimsStampStore &
  AccessStore;

const revokedColumns = [
  'uuid',
  'user_uuid',
  'reason',
  'revoked_at',
  'user_agent',
  'api_version',
  'access_hash',
  'refresh_hash',
  'refresh_generation',
] as const;

/** Rolls back an upgrade's transaction, with the outcome to answer. */
class UpgradeAbandoned extends Error {
  constructor(readonly outcome: Exclude<UpgradeOutcome, 'created'>) {
    super(outcome);
  }
}

/** The store of record over Kysely: one implementation for SQLite and PostgreSQL. */
export function createKyselyStore(db: Kysely<KeycardDatabase>, errors: KyselyDialectErrors): KeycardStore {
  let closed = false;
  async function guard<T>(operation: () => Promise<T>): Promise<T> {
    // A closed store is an unavailable one, as for a database that went away (not an internal error).
    if (closed) throw new KeycardError('store_unavailable');
    try {
      return await operation();
    } catch (error) {
      if (error instanceof KeycardError) throw error;
      if (errors.isUnavailable(error)) throw new KeycardError('store_unavailable', { cause: error });
      throw error;
    }
  }

  /** INSERT INTO revoked_sessions SELECT … FROM sessions: the tombstone is copied in the database, not via JS. */
  function tombstoneSessions(
    trx: Kysely<KeycardDatabase>,
    uuids: readonly string[],
    reason: RevocationReason,
    revokedAt: number,
  ) {
    return trx
      .insertInto('revoked_sessions')
      .columns(revokedColumns)
      .expression((eb) =>
        eb
          .selectFrom('sessions')
          .select([
            'uuid',
            'user_uuid',
            sql<string>`cast(${reason} as varchar(32))`.as('reason'),
            sql<number>`cast(${revokedAt} as bigint)`.as('revoked_at'),
            'user_agent',
            'version',
            'access_hash',
            'refresh_hash',
            'refresh_generation',
          ])
          .where('uuid', 'in', uuids),
      )
      .onConflict((oc) => oc.column('uuid').doNothing())
      .execute();
  }

  /** Tombstones and deletes sessions, within a transaction `trx` already holds. */
  async function moveToRevokedIn(
    trx: Kysely<KeycardDatabase>,
    uuids: readonly string[],
    reason: RevocationReason,
    revokedAt: number,
  ): Promise<EndedSession[]> {
    await tombstoneSessions(trx, uuids, reason, revokedAt);
    const deleted = await trx
      .deleteFrom('sessions')
      .where('uuid', 'in', uuids)
      .returning(['uuid', 'user_uuid'])
      .execute();
    return deleted.map((row) => ({ uuid: row.uuid, userUuid: row.user_uuid }));
  }

  async function moveToRevoked(
    uuids: readonly string[],
    reason: RevocationReason,
    revokedAt: number,
  ): Promise<EndedSession[]> {
    if (uuids.length === 0) return [];
    return db.transaction().execute((trx) => moveToRevokedIn(trx, uuids, reason, revokedAt));
  }

  // Sign-in's two statements, built and compiled once (see compiled-once.ts); every other query is built per call.
  /** Every column of a session row: each value is bound by its column's name. */
  const sessionColumns = Object.keys(SESSION_COLUMN_TYPES) as (keyof SessionsTable)[];
  const insertSessionOfEnabledUserQuery = compiledOnce<SessionsTable, unknown>((parameter) => {
    let source = db
      .selectFrom('users')
      .select((eb) =>
        sessionColumns.map((column) =>
          eb.cast(eb.val(parameter(column)), SESSION_COLUMN_TYPES[column]).as(column),
        ),
      )
      .where('users.uuid', '=', parameter('user_uuid'))
      .where('users.disabled_at', 'is', null);
    if (errors.locksRows === true) source = source.forShare();
    return db.insertInto('sessions').columns(sessionColumns).expression(source);
  });
  const findUserByEmailQuery = compiledOnce<{ email: string }, Selectable<UsersTable>>((parameter) =>
    db.selectFrom('users').selectAll().where('email', '=', parameter('email')),
  );

  /**
   * INSERT … SELECT FROM users WHERE enabled, one statement: a session is only created for an account that exists
   * and is enabled when it commits. On PostgreSQL the user row is share-locked, so `users disable` (an UPDATE of
   * that row, then a revocation of its sessions) either comes first and this inserts nothing, or waits for this
   * insert and then revokes the new session with the others. Returns whether it inserted. `trx` is the database
   * or a transaction of it.
   */
  async function insertSessionOfEnabledUser(
    trx: Kysely<KeycardDatabase>,
    session: Session,
  ): Promise<boolean> {
    const result = await trx.executeQuery(insertSessionOfEnabledUserQuery(sessionToRow(session)));
    return result.numAffectedRows === 1n;
  }

  return {
    ...createKyselyAuditLog(db, guard),
    ...createKyselySigningKeys(db, guard),
    ...createKyselyAdminQueries(db, guard, errors, moveToRevoked),
    ...createKyselyClaimsStamps(db, guard),
    ...createKyselyAccessStore(db, guard, errors),

    findUserByEmail: (email) =>
      guard(async () => {
        const [row] = (await db.executeQuery(findUserByEmailQuery({ email }))).rows;
        return row === undefined ? undefined : userFromRow(row);
      }),

    findUserByUuid: (uuid) =>
      guard(async () => {
        const row = await db.selectFrom('users').selectAll().where('uuid', '=', uuid).executeTakeFirst();
        return row === undefined ? undefined : userFromRow(row);
      }),

    createUserWithSession: (user: User, session: Session) =>
      guard(async () => {
        try {
          await db.transaction().execute(async (trx) => {
            await trx.insertInto('users').values(userToRow(user)).execute();
            await trx.insertInto('sessions').values(sessionToRow(session)).execute();
          });
        } catch (error) {
          if (errors.isUniqueViolation(error)) throw new KeycardError('email_taken', { cause: error });
          throw error;
        }
      }),

    createSession: (session) => guard(() => insertSessionOfEnabledUser(db, session)),

    createAnonymousSession: (session) =>
      guard(async () => {
        if (session.userUuid !== null) throw new TypeError('an anonymous session has no user');
        await db.insertInto('sessions').values(sessionToRow(session)).execute();
      }),

    createUpgradedSession: (session, anonymousSessionUuid, endedAt, newUser) =>
      guard(async () => {
        try {
          return await db.transaction().execute(async (trx) => {
            // The anonymous session first: of two upgrades racing with one token, the second waits on its row
            // (PostgreSQL) or on the write lock (SQLite), then finds it gone.
            const live = await trx
              .selectFrom('sessions')
              .select('uuid')
              .where('uuid', '=', anonymousSessionUuid)
              .where('user_uuid', 'is', null)
              .where('anonymous_id', '=', session.anonymousId)
              .execute();
            const ended =
              live.length === 1
                ? await moveToRevokedIn(trx, [anonymousSessionUuid], 'upgraded', endedAt)
                : [];
            if (ended.length !== 1) throw new UpgradeAbandoned('anonymous_gone');
            if (newUser !== undefined) await trx.insertInto('users').values(userToRow(newUser)).execute();
            if (!(await insertSessionOfEnabledUser(trx, session))) throw new UpgradeAbandoned('refused');
            return 'created' as const;
          });
        } catch (error) {
          if (error instanceof UpgradeAbandoned) return error.outcome;
          if (newUser !== undefined && errors.isUniqueViolation(error)) {
            throw new KeycardError('email_taken', { cause: error });
          }
          throw error;
        }
      }),

    findSession: (uuid) =>
      guard(async () => {
        const row = await db.selectFrom('sessions').selectAll().where('uuid', '=', uuid).executeTakeFirst();
        return row === undefined ? undefined : sessionFromRow(row);
      }),

    findSessionAndUser: (uuid) =>
      guard(async () => {
        // A left join: an anonymous session has no user row.
        const row = await db
          .selectFrom('sessions')
          .leftJoin('users', 'users.uuid', 'sessions.user_uuid')
          .selectAll('sessions')
          .select([
            'users.uuid as user_row_uuid',
            'users.email as user_email',
            'users.version as user_version',
            'users.created_at as user_created_at',
            'users.updated_at as user_updated_at',
          ])
          .where('sessions.uuid', '=', uuid)
          .executeTakeFirst();
        if (row === undefined) return undefined;
        const session = sessionFromRow(row);
        if (row.user_uuid === null) return { session, user: null };
        if (
          row.user_row_uuid === null ||
          row.user_email === null ||
          row.user_version === null ||
          row.user_created_at === null ||
          row.user_updated_at === null
        ) {
          return undefined; // its user is gone (the cascade deletes such sessions; this only reads between)
        }
        const user: SessionUser = {
          uuid: row.user_row_uuid,
          email: row.user_email,
          version: row.user_version,
          createdAt: row.user_created_at,
          updatedAt: row.user_updated_at,
        };
        return { session, user };
      }),

    findRevokedSession: (uuid): Promise<RevokedSession | undefined> =>
      guard(async () => {
        const row = await db
          .selectFrom('revoked_sessions')
          .selectAll()
          .where('uuid', '=', uuid)
          .executeTakeFirst();
        return row === undefined ? undefined : revokedSessionFromRow(row);
      }),

    listUserSessions: (userUuid) =>
      guard(async () => {
        const rows = await db.selectFrom('sessions').selectAll().where('user_uuid', '=', userUuid).execute();
        return rows.map(sessionFromRow);
      }),

    touchSession: (uuid, updatedAt) =>
      guard(async () => {
        await db
          .updateTable('sessions')
          .set({ updated_at: updatedAt })
          .where('uuid', '=', uuid)
          .where('updated_at', '<', updatedAt)
          .execute();
      }),

    rotateSessionTokens: (uuid, expectedRefreshHash, rotation: TokenRotation) =>
      guard(async () => {
        const result = await db
          .updateTable('sessions')
          .set({
            access_hash: rotation.accessHash,
            access_expires_at: rotation.accessExpiresAt,
            refresh_hash: rotation.refreshHash,
            refresh_generation: rotation.refreshGeneration,
            previous_refresh_hash: rotation.previousRefreshHash,
            rotated_at: rotation.rotatedAt,
            updated_at: rotation.updatedAt,
          })
          .where('uuid', '=', uuid)
          .where('refresh_hash', '=', expectedRefreshHash)
          .executeTakeFirst();
        return result.numUpdatedRows === 1n;
      }),

    setSessionElevation: (uuid, elevatedUntil, changedAt) =>
      guard(async () => {
        const result = await db
          .updateTable('sessions')
          .set({ elevated_until: elevatedUntil, elevation_changed_at: changedAt })
          .where('uuid', '=', uuid)
          .executeTakeFirst();
        return result.numUpdatedRows === 1n;
      }),

    setSessionGroup: (uuid, groupId, changedAt) =>
      guard(async () => {
        const result = await db
          .updateTable('sessions')
          .set({ group_id: groupId, elevation_changed_at: changedAt })
          .where('uuid', '=', uuid)
          .executeTakeFirst();
        return result.numUpdatedRows === 1n;
      }),

    revokeSession: (uuid, reason, revokedAt) =>
      guard(async () => (await moveToRevoked([uuid], reason, revokedAt)).length === 1),

    revokeUserSessions: (userUuid, exceptUuid, reason, revokedAt) =>
      guard(async () => {
        let query = db.selectFrom('sessions').select('uuid').where('user_uuid', '=', userUuid);
        if (exceptUuid !== null) query = query.where('uuid', '!=', exceptUuid);
        const uuids = (await query.execute()).map((row) => row.uuid);
        return moveToRevoked(uuids, reason, revokedAt);
      }),

    sweepExpiredSessions: (now: number, lifetimes: SessionLifetimes, limit: number) =>
      guard(async () => {
        // Four range scans (absolute expiry, and the idle expiry of each lifetime class), each stopping at `limit`: the cost follows what has expired.
        const absolute = db
          .selectFrom('sessions')
          .select('uuid')
          .where('expires_at', '<=', now)
          .limit(limit)
          .execute();
        const idle = [
          { remember: 0, idleSeconds: lifetimes.short.idleSeconds },
          { remember: 1, idleSeconds: lifetimes.long.idleSeconds },
          { remember: ANONYMOUS_CLASS, idleSeconds: lifetimes.anonymous.idleSeconds },
        ].map(({ remember, idleSeconds }) =>
          db
            .selectFrom('sessions')
            .select('uuid')
            .where('remember', '=', remember)
            .where('updated_at', '<=', now - idleSeconds * 1000)
            .limit(limit)
            .execute(),
        );
        const found = (await Promise.all([absolute, ...idle])).flat().map((row) => row.uuid);
        const uuids = [...new Set(found)].slice(0, limit);
        return moveToRevoked(uuids, 'expired', now);
      }),

    listSessionChangesSince: (since, limit) =>
      guard(async () => {
        const [ended, rotated, changed] = await Promise.all([
          db
            .selectFrom('revoked_sessions')
            .select('uuid')
            .where('revoked_at', '>=', since)
            .limit(limit)
            .execute(),
          db.selectFrom('sessions').select('uuid').where('rotated_at', '>=', since).limit(limit).execute(),
          // Elevation and group changes (elevation_changed_at, migration 0005): a separate indexed range scan.
          db
            .selectFrom('sessions')
            .select('uuid')
            .where('elevation_changed_at', '>=', since)
            .limit(limit)
            .execute(),
        ]);
        const rotatedUuids = [...new Set([...rotated, ...changed].map((row) => row.uuid))].slice(0, limit);
        return { ended: ended.map((row) => row.uuid), rotated: rotatedUuids };
      }),

    countSessions: () =>
      guard(async () => {
        const row = await db
          .selectFrom('sessions')
          .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
          .executeTakeFirstOrThrow();
        return Number(row.count);
      }),

    pruneRevokedSessions: (before) =>
      guard(async () => {
        const result = await db
          .deleteFrom('revoked_sessions')
          .where('revoked_at', '<', before)
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      }),

    ping: () =>
      guard(async () => {
        await sql`select 1`.execute(db);
      }),

    async close() {
      closed = true;
      await db.destroy();
    },
  };
}
