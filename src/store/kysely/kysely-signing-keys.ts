import type { Kysely } from 'kysely';
import type { SigningKeyStore } from '../../tokens/signing-key-store.js';
import { isJwsAlgorithm } from '../../verify/verification-key.js';
import type { KeycardDatabase } from './database.js';
import type { StoreGuard } from './kysely-audit-log.js';

/** The signing keys' half of the Kysely store: the `signing_keys` table. */
export function createKyselySigningKeys(db: Kysely<KeycardDatabase>, guard: StoreGuard): SigningKeyStore {
  return {
    listSigningKeys: () =>
      guard(async () => {
        const rows = await db.selectFrom('signing_keys').selectAll().execute();
        return rows.map((row) => {
          if (!isJwsAlgorithm(row.alg)) throw new Error(`signing key ${row.kid}: unknown alg ${row.alg}`);
          return {
            kid: row.kid,
            alg: row.alg,
            sealedPrivateKey: row.sealed_private_key,
            createdAt: row.created_at,
            retiredAt: row.retired_at,
          };
        });
      }),
    addSigningKey: (key, retireOthersAt) =>
      guard(() =>
        db.transaction().execute(async (trx) => {
          if (retireOthersAt !== null) {
            await trx
              .updateTable('signing_keys')
              .set({ retired_at: retireOthersAt })
              .where('retired_at', 'is', null)
              .execute();
          }
          await trx
            .insertInto('signing_keys')
            .values({
              kid: key.kid,
              alg: key.alg,
              sealed_private_key: key.sealedPrivateKey,
              created_at: key.createdAt,
              retired_at: key.retiredAt,
            })
            .execute();
        }),
      ),
    deleteSigningKeysRetiredBefore: (before) =>
      guard(async () => {
        const result = await db
          .deleteFrom('signing_keys')
          .where('retired_at', '<', before)
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      }),
  };
}
