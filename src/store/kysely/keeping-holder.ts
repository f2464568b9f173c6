import { type Kysely, sql } from 'kysely';
import { KeycardError } from '../../core/errors.js';
import type { KeycardDatabase } from './database.js';

/** Whether an enabled user holds `permission`, directly or through a role (one statement, stops at the first). */
async function hasEnabledHolder(db: Kysely<KeycardDatabase>, permission: string): Promise<boolean> {
  const direct = db
    .selectFrom('user_permissions')
    .innerJoin('users', 'users.uuid', 'user_permissions.user_uuid')
    .select('users.uuid')
    .where('user_permissions.permission_name', '=', permission)
    .where('users.disabled_at', 'is', null);
  const throughRoles = db
    .selectFrom('role_permissions')
    .innerJoin('user_roles', 'user_roles.role_name', 'role_permissions.role_name')
    .innerJoin('users', 'users.uuid', 'user_roles.user_uuid')
    .select('users.uuid')
    .where('role_permissions.permission_name', '=', permission)
    .where('users.disabled_at', 'is', null);
  const found = await db
    .selectFrom(direct.unionAll(throughRoles).as('holders'))
    .select('uuid')
    .limit(1)
    .executeTakeFirst();
  return found !== undefined;
}

/**
 * Runs `change` in a transaction; with `keep` (a permission, `keycard:admin`), one that refuses it with
 * `last_admin` when it took the last enabled holder of `keep` (a database that had none may go on having none).
 *
 * The check and the change must be one step, or two administrators demoting each other at once would both see
 * the other still there. The transaction opens with a write to `keep`'s own row, which every such change makes:
 * on PostgreSQL a row lock, so a second change waits there until the first commits and then counts what the
 * first left (each statement of READ COMMITTED reads what is committed when it starts); on SQLite the database's
 * write lock, taken by the first statement, so no read has to be upgraded to a write later (which, between
 * processes, could only fail) and the second writer waits its busy timeout instead.
 */
export async function keepingHolder<T>(
  db: Kysely<KeycardDatabase>,
  keep: string | undefined,
  change: (db: Kysely<KeycardDatabase>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    if (keep === undefined) return change(trx);
    await trx
      .updateTable('permissions')
      .set({ description: sql`description` })
      .where('name', '=', keep)
      .execute();
    const heldBefore = await hasEnabledHolder(trx, keep);
    const result = await change(trx);
    if (heldBefore && !(await hasEnabledHolder(trx, keep))) throw new KeycardError('last_admin');
    return result;
  });
}
