import { randomBytesFromPool } from '../tokens/random-pool.js';

const MAX_SEQUENCE = 0xfff;

/**
 * Makes UUIDv7s (RFC 9562) for audit events: 48 bits of milliseconds, then a 12-bit sequence that counts up
 * within a millisecond (method 1 of section 6.2), then 62 random bits. Ids from one generator therefore sort in
 * the order they were made, even for events recorded in the same millisecond (a reuse and the revocation it
 * caused), which is what pages of events are ordered by after time.
 */
export function createAuditEventIds(): (occurredAt: number) => string {
  let lastMs = -1;
  let sequence = 0;
  return (occurredAt) => {
    if (occurredAt > lastMs) {
      lastMs = occurredAt;
      sequence = 0;
    } else if (sequence < MAX_SEQUENCE) {
      sequence += 1;
    } else {
      // 4096 ids in one millisecond (or a clock that went back): borrow the next millisecond.
      lastMs += 1;
      sequence = 0;
    }
    const random = randomBytesFromPool(8);
    const variant = ((random[0] ?? 0) & 0x3f) | 0x80;
    const hex = [
      lastMs.toString(16).padStart(12, '0'),
      (0x7000 | sequence).toString(16),
      variant.toString(16).padStart(2, '0') + random.subarray(1).toString('hex'),
    ].join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  };
}
