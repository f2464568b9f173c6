import type { AuditLogStore } from './audit-log-store.js';

export const DEFAULT_AUDIT_RETENTION_SECONDS = 90 * 86_400;

/**
 * Deletes audit events older than the retention, in batches, so one sweep never holds a long lock or a huge
 * transaction; what a sweep leaves (more than `maxBatches` batches) the next one takes. Returns how many.
 */
export async function pruneAuditLog(
  store: AuditLogStore,
  before: number,
  { batchSize = 1000, maxBatches = 100 }: { batchSize?: number; maxBatches?: number } = {},
): Promise<number> {
  let pruned = 0;
  for (let batch = 0; batch < maxBatches; batch += 1) {
    const deleted = await store.pruneAuditEvents(before, batchSize);
    pruned += deleted;
    if (deleted < batchSize) break;
  }
  return pruned;
}
