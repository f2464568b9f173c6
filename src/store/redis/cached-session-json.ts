import type { CachedSession } from '../../sessions/session-cache.js';

/** Encodes a cached session for the shared cache. Only hashes of secrets are in it, never a password hash. */
export function encodeCachedSession(entry: CachedSession): string {
  return JSON.stringify(entry);
}

/** Decodes what `encodeCachedSession` wrote; anything else (another version, corruption) is a miss. */
export function decodeCachedSession(text: string): CachedSession | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (!isRecord(value) || !isRecord(value.session)) return undefined;
    const { session, user } = value;
    // An anonymous session has no user; a user's session has one, and its uuid.
    const anonymous = user === null && session.userUuid === null;
    if (!anonymous && !(isRecord(user) && typeof user.uuid === 'string' && user.uuid === session.userUuid)) {
      return undefined;
    }
    const strings = [session.uuid, session.accessHash, ...(isRecord(user) ? [user.email] : [])];
    const numbers = [
      session.updatedAt,
      session.expiresAt,
      session.accessExpiresAt,
      ...(isRecord(user) ? [user.createdAt] : []),
    ];
    // Entries written before sessions had groups, elevation, an issue time and an anonymous id are misses (read
    // again).
    const nullable = [
      [session.rotatedAt, 'number'],
      [session.elevatedUntil, 'number'],
      [session.groupId, 'string'],
      [session.anonymousId, 'string'],
    ] as const;
    if (
      !strings.every((item) => typeof item === 'string') ||
      !numbers.every((item) => typeof item === 'number') ||
      !nullable.every(([item, type]) => item === null || typeof item === type)
    ) {
      return undefined;
    }
    return value as unknown as CachedSession;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
