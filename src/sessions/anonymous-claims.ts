import type { LiveSession } from './session-cache.js';

/**
 * The claims that say where a session stands with anonymity, on each of its JWTs: an anonymous session's carry
 * `anon: true` and `aid`, its anonymous id (which is also their `sub`, never a user's uuid); a user's session
 * upgraded from an anonymous one carries that session's `aid`, so a service can move what it kept under the
 * anonymous id to the user. Other sessions carry neither.
 */
export function anonymousClaimsOf(session: Pick<LiveSession, 'userUuid' | 'anonymousId'>): {
  aid?: string;
  anon?: true;
} {
  if (session.anonymousId === null) return {};
  return session.userUuid === null ? { aid: session.anonymousId, anon: true } : { aid: session.anonymousId };
}
