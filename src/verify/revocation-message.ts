/**
 * What the revocation feed carries (`GET /events/revocations` as Server-Sent Events, `data:` one JSON object per
 * event): sessions that ended, and stamps ("claims valid after": a token of that scope issued before
 * `validAfter` is stale). Times are milliseconds since the epoch.
 */
export type RevocationMessage =
  | { readonly kind: 'ended'; readonly sessions: readonly string[]; readonly at: number }
  | {
      readonly kind: 'stamp';
      readonly scope: StampScope;
      /** The user uuid, the group's id, the session uuid (`elevation`), or `*` for the global stamp. */
      readonly id: string;
      readonly validAfter: number;
      readonly at: number;
    }
  /**
   * Sent first on every connection: sessions ended within the window any token can still be alive (so a verifier
   * that was away misses nothing), and the stamps in force. `complete: false` when there were too many to send:
   * the verifier then treats every token issued before `at` as stale. Elevation stamps come apart, in
   * `elevations`, so a verifier that knows only the other scopes still reads the rest.
   */
  | {
      readonly kind: 'snapshot';
      readonly sessions: readonly string[];
      readonly stamps: readonly Stamp[];
      readonly elevations?: readonly Stamp[];
      readonly complete: boolean;
      readonly at: number;
    };

/**
 * What a stamp applies to: a user's tokens, a group's sessions' tokens, every token (`global`), or the tokens of
 * one session that claim an elevation (`elevation`: the session's elevation was dropped).
 */
export type StampScope = 'user' | 'group' | 'global' | 'elevation';

export interface Stamp {
  readonly scope: StampScope;
  readonly id: string;
  readonly validAfter: number;
}

/** Parses one message; undefined for anything malformed (ignored, never trusted). */
export function parseRevocationMessage(text: string): RevocationMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Record<string, unknown>;
  const at = message.at;
  if (typeof at !== 'number') return undefined;
  if (message.kind === 'ended' && isStringArray(message.sessions)) {
    return { kind: 'ended', sessions: message.sessions, at };
  }
  if (message.kind === 'stamp') {
    const stamp = parseStamp(message);
    return stamp === undefined ? undefined : { kind: 'stamp', ...stamp, at };
  }
  if (
    message.kind === 'snapshot' &&
    isStringArray(message.sessions) &&
    Array.isArray(message.stamps) &&
    typeof message.complete === 'boolean'
  ) {
    const stamps = (message.stamps as unknown[]).map(parseStamp);
    const elevations = Array.isArray(message.elevations)
      ? (message.elevations as unknown[]).map(parseStamp)
      : [];
    if ([...stamps, ...elevations].some((stamp) => stamp === undefined)) return undefined;
    return {
      kind: 'snapshot',
      sessions: message.sessions,
      stamps: stamps as Stamp[],
      ...(elevations.length === 0 ? {} : { elevations: elevations as Stamp[] }),
      complete: message.complete,
      at,
    };
  }
  return undefined;
}

function parseStamp(value: unknown): Stamp | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { scope, id, validAfter } = value as Record<string, unknown>;
  if (scope !== 'user' && scope !== 'group' && scope !== 'global' && scope !== 'elevation') return undefined;
  if (typeof id !== 'string' || typeof validAfter !== 'number') return undefined;
  return { scope, id, validAfter };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((entry) => typeof entry === 'string');
}
