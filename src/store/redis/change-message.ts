import { type ClaimsStamp, isStampScope } from '../../claims/claims-stamp.js';
import type { SessionChange } from '../../sessions/session-sync.js';

/** The feed's message: which node changed which sessions, and how; `at` (ms) measures the feed's lag. */
export function encodeChangeMessage(nodeId: string, change: SessionChange, sentAt: number): string {
  return JSON.stringify({
    node: nodeId,
    kind: change.kind,
    sessions: change.sessionUuids,
    at: sentAt,
    // For services following the feed: a session ended, and why (mutual expiry).
    ...(change.kind === 'ended' && change.reason !== undefined
      ? { event: 'session.ended', reason: change.reason }
      : {}),
  });
}

export interface DecodedChangeMessage {
  readonly nodeId: string;
  readonly change: SessionChange;
  /** When the sending node published it (its clock); undefined from nodes older than this field. */
  readonly sentAt: number | undefined;
}

export function decodeChangeMessage(message: string): DecodedChangeMessage | undefined {
  try {
    const value = JSON.parse(message) as { node?: unknown; kind?: unknown; sessions?: unknown; at?: unknown };
    if (typeof value.node !== 'string' || (value.kind !== 'ended' && value.kind !== 'rotated'))
      return undefined;
    if (!Array.isArray(value.sessions) || !value.sessions.every((uuid) => typeof uuid === 'string'))
      return undefined;
    const sentAt = typeof value.at === 'number' && Number.isFinite(value.at) ? value.at : undefined;
    return { nodeId: value.node, change: { kind: value.kind, sessionUuids: value.sessions }, sentAt };
  } catch {
    return undefined;
  }
}

/** A bumped claims stamp on the same channel: `{node, stamp: {scope, subject, valid_after}, at}`. */
export function encodeStampMessage(nodeId: string, stamp: ClaimsStamp, sentAt: number): string {
  return JSON.stringify({
    node: nodeId,
    stamp: { scope: stamp.scope, subject: stamp.subject, valid_after: stamp.validAfter },
    at: sentAt,
  });
}

export function decodeStampMessage(message: string): { nodeId: string; stamp: ClaimsStamp } | undefined {
  try {
    const value = JSON.parse(message) as { node?: unknown; stamp?: Record<string, unknown> | null };
    const stamp = value.stamp;
    if (typeof value.node !== 'string' || typeof stamp !== 'object' || stamp === null) return undefined;
    const { scope, subject, valid_after: validAfter } = stamp;
    if (!isStampScope(scope) || typeof subject !== 'string') return undefined;
    if (typeof validAfter !== 'number' || !Number.isSafeInteger(validAfter)) return undefined;
    return { nodeId: value.node, stamp: { scope, subject, validAfter } };
  } catch {
    return undefined;
  }
}
