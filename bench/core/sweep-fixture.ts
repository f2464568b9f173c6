/**
 * A SQLite session table of a given size, filled directly (prepared statements in one transaction, after the
 * real migrations), in which a given number of scattered sessions can be made expired again and again.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../../src/store/sqlite/create-sqlite-store.js';

const SECOND = 1000;
const DAY = 86_400 * SECOND;
const USERS = 1000;
const HASH = 'A'.repeat(43);

export interface SweepFixture {
  readonly filename: string;
  readonly sessions: number;
  /** Makes `count` live sessions, scattered through the table, expired: a third each by long idle, short idle, absolute expiry. */
  expire(count: number): void;
  /** Brings the table back to `sessions` live rows and drops tombstones, so every round starts alike. */
  refill(): void;
  close(): void;
}

/** Live sessions: a quarter short (`remember = 0`, active within the hour), the rest long (active within 6 days). */
function liveSession(index: number, now: number): [remember: number, updatedAt: number, expiresAt: number] {
  return index % 4 === 0
    ? [0, now - (index % 3600) * SECOND, now + 11 * 3600 * SECOND]
    : [1, now - (index % 518_400) * SECOND, now + 80 * DAY];
}

export async function createSweepFixture(filename: string, sessions: number): Promise<SweepFixture> {
  await (await createSqliteStore({ filename })).close(); // the real migrations, nothing else
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const now = Date.now();
  const userIds = Array.from({ length: USERS }, () => randomUUID());
  const insertUser = db.prepare(
    'insert into users (uuid, email, password_hash, version, created_at, updated_at) values (?, ?, ?, ?, ?, ?)',
  );
  const insertSession = db.prepare(
    `insert into sessions (uuid, version, user_uuid, user_agent, created_at, updated_at, remember, expires_at,
       access_hash, access_expires_at, refresh_hash, refresh_generation, previous_refresh_hash, rotated_at)
     values (?, '20200115', ?, 'bench', ?, ?, ?, ?, ?, ?, ?, 0, null, null)`,
  );
  const insertLive = (index: number, at: number) => {
    const [remember, updatedAt, expiresAt] = liveSession(index, at);
    insertSession.run(
      randomUUID(),
      userIds[index % USERS],
      updatedAt,
      updatedAt,
      remember,
      expiresAt,
      HASH,
      at,
      HASH,
    );
  };
  db.transaction(() => {
    userIds.forEach((uuid, index) =>
      insertUser.run(uuid, `sweep-${index}@example.com`, 'x', '004', now, now),
    );
    for (let index = 0; index < sessions; index += 1) insertLive(index, now);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');

  const count = db.prepare<[], { count: number }>('select count(*) as count from sessions');
  const pick = db.prepare<[number, number, number], { rowid: number }>(
    'select rowid from sessions where rowid % ? = ? limit ?',
  );
  let expiries = 0;
  const makeExpired = [
    db.prepare('update sessions set remember = 1, updated_at = ? where rowid = ?'),
    db.prepare('update sessions set remember = 0, updated_at = ? where rowid = ?'),
    db.prepare('update sessions set expires_at = ? where rowid = ?'),
  ] as const;
  return {
    filename,
    sessions,
    expire(expiredCount) {
      // Every stride-th row, from a different offset each time (rows swept before are gone): spread evenly.
      const stride = Math.floor(sessions / expiredCount);
      const rows = pick.all(stride, expiries % stride, expiredCount);
      expiries += 1;
      if (rows.length < expiredCount) throw new Error(`only ${rows.length} rows to expire`);
      const at = Date.now();
      const expiredAt = [at - 8 * DAY, at - 2 * 3600 * SECOND, at - 60 * SECOND];
      db.transaction(() => {
        rows.forEach(({ rowid }, index) => {
          makeExpired[index % 3]?.run(expiredAt[index % 3], rowid);
        });
      })();
      db.pragma('wal_checkpoint(TRUNCATE)');
    },
    refill() {
      const at = Date.now();
      db.transaction(() => {
        const missing = sessions - (count.get()?.count ?? sessions);
        for (let index = 0; index < missing; index += 1) insertLive(index, at);
        db.prepare('delete from revoked_sessions').run();
      })();
      db.pragma('wal_checkpoint(TRUNCATE)');
    },
    close: () => db.close(),
  };
}
