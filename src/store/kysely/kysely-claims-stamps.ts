import type { Kysely } from 'kysely';
import { type ClaimsStampStore, isStampScope } from '../../claims/claims-stamp.js';
import type { KeycardDatabase } from './database.js';

type Guard = <T>(operation: () => Promise<T>) => Promise<T>;

/** Claims stamps over Kysely: one row per (scope, subject), moved forward by an upsert. */
export function createKyselyClaimsStamps(db: Kysely<KeycardDatabase>, guard: Guard): ClaimsStampStore {
  return {
    bumpStamp: ({ scope, subject, validAfter }) =>
      guard(async () => {
        await db
          .insertInto('claims_stamps')
          .values({ scope, subject, valid_after: validAfter })
          .onConflict((oc) =>
            oc
              .columns(['scope', 'subject'])
              .doUpdateSet({ valid_after: validAfter })
              // Never backwards, whatever the clocks of the nodes that bump it.
              .where('claims_stamps.valid_after', '<', validAfter),
          )
          .execute();
      }),

    listStampsSince: (since, limit) =>
      guard(async () => {
        const rows = await db
          .selectFrom('claims_stamps')
          .selectAll()
          .where('valid_after', '>=', since)
          .orderBy('valid_after')
          .limit(limit)
          .execute();
        return rows.flatMap((row) =>
          isStampScope(row.scope)
            ? [{ scope: row.scope, subject: row.subject, validAfter: row.valid_after }]
            : [],
        );
      }),

    pruneStamps: (before) =>
      guard(async () => {
        const result = await db
          .deleteFrom('claims_stamps')
          .where('valid_after', '<', before)
          .where('scope', '!=', 'global')
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      }),
  };
}
