import { createHash } from 'node:crypto';
import type { SessionUser } from '../../src/accounts/user.js';
import type { CachedSession } from '../../src/sessions/session-cache.js';
import type { SessionLifetimes } from '../../src/sessions/session-lifetimes.js';

/** Entries for the session ledger tests: deterministic UUIDs and hashes from small numbers. */
export const T0 = Date.UTC(2026, 0, 1);
export const LIFETIMES: SessionLifetimes = {
  short: { idleSeconds: 90 * 60, absoluteSeconds: 12 * 3600 },
  long: { idleSeconds: 7 * 86_400, absoluteSeconds: 90 * 86_400 },
  anonymous: { idleSeconds: 3 * 86_400, absoluteSeconds: 30 * 86_400 },
};

export function uuidOf(n: number): string {
  const hex = (n >>> 0).toString(16).padStart(8, '0');
  return `${hex}-0000-4000-8000-${(n * 7919).toString(16).padStart(12, '0').slice(-12)}`;
}

export function accessHashOf(n: number): string {
  return createHash('sha256').update(`secret ${n}`).digest('base64url');
}

export function userOf(n: number, updatedAt = T0): SessionUser {
  return {
    uuid: uuidOf(1_000_000 + n),
    email: `user${n}@example.com`,
    version: '004',
    createdAt: T0,
    updatedAt,
  };
}

export interface EntryFields {
  /** Null: an anonymous session (then `anonymousId` is its id). */
  readonly user?: SessionUser | null;
  /** An anonymous session's id, or the one a user's session was upgraded from. */
  readonly anonymousId?: string | null;
  readonly remember?: boolean;
  readonly updatedAt?: number;
  readonly expiresAt?: number;
  readonly userAgent?: string | null;
}

export function entryOf(n: number, fields: EntryFields = {}): CachedSession {
  const remember = fields.remember ?? true;
  const updatedAt = fields.updatedAt ?? T0;
  const user = fields.user === undefined ? userOf(0) : fields.user;
  const lifetime = user === null ? LIFETIMES.anonymous : remember ? LIFETIMES.long : LIFETIMES.short;
  return {
    session: {
      uuid: uuidOf(n),
      userUuid: user === null ? null : user.uuid,
      anonymousId: fields.anonymousId ?? (user === null ? uuidOf(2_000_000 + n) : null),
      apiVersion: '20200115',
      userAgent: fields.userAgent === undefined ? 'curl/8.0' : fields.userAgent,
      createdAt: T0,
      updatedAt,
      remember,
      expiresAt: fields.expiresAt ?? T0 + lifetime.absoluteSeconds * 1000,
      accessHash: accessHashOf(n),
      accessExpiresAt: T0 + 3_600_000,
      rotatedAt: null,
      groupId: null,
      elevatedUntil: null,
    },
    user,
  };
}
