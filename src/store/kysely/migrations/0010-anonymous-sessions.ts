import { type Kysely, type Migration, sql, SqliteAdapter } from 'kysely';

/**
 * Anonymous sessions (`POST /auth/anonymous`): sessions with no user. `sessions.user_uuid` and
 * `revoked_sessions.user_uuid` become nullable; `sessions.anonymous_id` holds an anonymous session's id, or on a
 * user's session the id of the anonymous session it was upgraded from. `remember` becomes the lifetime class,
 * 0 short, 1 long, 2 anonymous, so the sweep finds each class's idle sessions through the same
 * `(remember, updated_at)` index. A check keeps every row either a user's (class 0 or 1) or anonymous (class 2,
 * with its id).
 *
 * One migration for both engines, with one difference in how it gets there. PostgreSQL drops a NOT NULL in its
 * catalog, without rewriting or scanning the table, and the check is added `NOT VALID` then validated under a
 * lock that lets sessions be read and written meanwhile. SQLite cannot drop a NOT NULL or add a check to a table:
 * it rebuilds both tables (its documented procedure: create the new shape, copy, drop, rename, index again), in
 * the migration's transaction. Nothing references either table, so foreign keys stay on throughout.
 */
export const anonymousSessions: Migration = {
  async up(db: Kysely<unknown>) {
    if (isSqlite(db)) {
      await rebuildSqliteTables(db, 'anonymous');
      return;
    }
    await sql`alter table sessions alter column user_uuid drop not null`.execute(db);
    await sql`alter table sessions add column anonymous_id varchar(36)`.execute(db);
    await sql`alter table sessions add constraint sessions_principal_check check (${PRINCIPAL_CHECK}) not valid`.execute(
      db,
    );
    await sql`alter table sessions validate constraint sessions_principal_check`.execute(db);
    await sql`alter table revoked_sessions alter column user_uuid drop not null`.execute(db);
  },

  async down(db: Kysely<unknown>) {
    // Anonymous sessions and their tombstones cannot exist in the old shape.
    await sql`delete from sessions where user_uuid is null`.execute(db);
    await sql`delete from revoked_sessions where user_uuid is null`.execute(db);
    if (isSqlite(db)) {
      await rebuildSqliteTables(db, 'users only');
      return;
    }
    await sql`alter table sessions drop constraint sessions_principal_check`.execute(db);
    await sql`alter table sessions drop column anonymous_id`.execute(db);
    await sql`alter table sessions alter column user_uuid set not null`.execute(db);
    await sql`alter table revoked_sessions alter column user_uuid set not null`.execute(db);
  },
};

/** A user's session is of class 0 or 1; an anonymous one of class 2, with its anonymous id. */
const PRINCIPAL_CHECK = sql.raw(
  '(user_uuid is not null and remember in (0, 1)) or ' +
    '(user_uuid is null and anonymous_id is not null and remember = 2)',
);

function isSqlite(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/** Columns of `sessions` as migrations 0001 and 0005 made them, but `user_uuid` (and `anonymous_id`). */
const SESSION_COLUMNS = [
  'uuid',
  'version',
  'user_uuid',
  'user_agent',
  'created_at',
  'updated_at',
  'remember',
  'expires_at',
  'access_hash',
  'access_expires_at',
  'refresh_hash',
  'refresh_generation',
  'previous_refresh_hash',
  'rotated_at',
  'group_id',
  'elevated_until',
  'elevation_changed_at',
] as const;

const REVOKED_COLUMNS = [
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

/**
 * Rebuilds `sessions` and `revoked_sessions` in the shape `to` names: with anonymous sessions (nullable
 * `user_uuid`, `anonymous_id`, the check) or, going down, users' sessions only.
 */
async function rebuildSqliteTables(db: Kysely<unknown>, to: 'anonymous' | 'users only'): Promise<void> {
  const anonymous = to === 'anonymous';
  let sessions = db.schema
    .createTable('sessions_rebuilt')
    .addColumn('uuid', 'varchar(36)', (column) => column.primaryKey())
    .addColumn('version', 'varchar(50)', (column) => column.notNull())
    .addColumn('user_uuid', 'varchar(36)', (column) => {
      const withUser = column.references('users.uuid').onDelete('cascade');
      return anonymous ? withUser : withUser.notNull();
    })
    .addColumn('user_agent', 'text')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addColumn('remember', 'integer', (column) => column.notNull())
    .addColumn('expires_at', 'bigint', (column) => column.notNull())
    .addColumn('access_hash', 'varchar(43)', (column) => column.notNull())
    .addColumn('access_expires_at', 'bigint', (column) => column.notNull())
    .addColumn('refresh_hash', 'varchar(43)', (column) => column.notNull())
    .addColumn('refresh_generation', 'integer', (column) => column.notNull())
    .addColumn('previous_refresh_hash', 'varchar(43)')
    .addColumn('rotated_at', 'bigint')
    .addColumn('group_id', 'varchar(64)')
    .addColumn('elevated_until', 'bigint')
    .addColumn('elevation_changed_at', 'bigint');
  if (anonymous) {
    sessions = sessions
      .addColumn('anonymous_id', 'varchar(36)')
      .addCheckConstraint('sessions_principal_check', PRINCIPAL_CHECK);
  }
  await sessions.execute();
  await copyInto(db, 'sessions', SESSION_COLUMNS);
  await db.schema
    .createTable('revoked_sessions_rebuilt')
    .addColumn('uuid', 'varchar(36)', (column) => column.primaryKey())
    .addColumn('user_uuid', 'varchar(36)', (column) => (anonymous ? column : column.notNull()))
    .addColumn('reason', 'varchar(32)', (column) => column.notNull())
    .addColumn('revoked_at', 'bigint', (column) => column.notNull())
    .addColumn('user_agent', 'text')
    .addColumn('api_version', 'varchar(50)', (column) => column.notNull())
    .addColumn('access_hash', 'varchar(43)', (column) => column.notNull())
    .addColumn('refresh_hash', 'varchar(43)', (column) => column.notNull())
    .addColumn('refresh_generation', 'integer', (column) => column.notNull())
    .execute();
  await copyInto(db, 'revoked_sessions', REVOKED_COLUMNS);

  // The indexes of migrations 0001, 0002, 0005 and 0009 went with the old tables; those of 0009 are partial.
  const indexes: [name: string, table: string, columns: string[], partial?: 'where set'][] = [
    ['sessions_user_uuid_idx', 'sessions', ['user_uuid']],
    ['sessions_remember_updated_at_idx', 'sessions', ['remember', 'updated_at']],
    ['sessions_expires_at_idx', 'sessions', ['expires_at']],
    ['sessions_rotated_at_idx', 'sessions', ['rotated_at'], 'where set'],
    ['sessions_group_id_idx', 'sessions', ['group_id'], 'where set'],
    ['sessions_elevation_changed_at_idx', 'sessions', ['elevation_changed_at'], 'where set'],
    ['revoked_sessions_revoked_at_idx', 'revoked_sessions', ['revoked_at']],
    ['revoked_sessions_user_uuid_idx', 'revoked_sessions', ['user_uuid']],
  ];
  for (const [name, table, columns, partial] of indexes) {
    const index = db.schema.createIndex(name).on(table).columns(columns);
    const [column = ''] = columns;
    await (partial === undefined ? index : index.where(sql.ref(column), 'is not', null)).execute();
  }
}

/** Copies `table` into `<table>_rebuilt`, drops it and gives the copy its name. */
async function copyInto(db: Kysely<unknown>, table: string, columns: readonly string[]): Promise<void> {
  const list = sql.join(columns.map((column) => sql.ref(column)));
  await sql`insert into ${sql.table(`${table}_rebuilt`)} (${list}) select ${list} from ${sql.table(table)}`.execute(
    db,
  );
  await db.schema.dropTable(table).execute();
  await db.schema.alterTable(`${table}_rebuilt`).renameTo(table).execute();
}
