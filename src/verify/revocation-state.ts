import type { JwtClaims } from './jwt-claims.js';
import type { RevocationMessage, Stamp } from './revocation-message.js';
import type { TokenErrorCode } from './token-error.js';

/**
 * What a verifier has heard on the revocation feed: sessions that ended, and stamps. Ended sessions are
 * forgotten once every token of theirs has expired (`retentionMs`: a token's lifetime and the skew).
 */
export class RevocationState {
  readonly #retentionMs: number;
  readonly #ended = new Map<string, number>();
  readonly #stamps = new Map<string, number>();
  #prunedAt = 0;

  constructor({ retentionMs }: { retentionMs: number }) {
    this.#retentionMs = retentionMs;
  }

  apply(message: RevocationMessage, now: number): void {
    switch (message.kind) {
      case 'ended':
        for (const sid of message.sessions) this.#ended.set(sid, now);
        break;
      case 'stamp':
        this.#stamp(message);
        break;
      case 'snapshot':
        for (const sid of message.sessions) this.#ended.set(sid, now);
        for (const stamp of [...message.stamps, ...(message.elevations ?? [])]) this.#stamp(stamp);
        // Too many to list: whatever was issued before the snapshot may belong to a session it left out.
        if (!message.complete) this.#stamp({ scope: 'global', id: '*', validAfter: message.at });
        break;
    }
    if (now - this.#prunedAt > this.#retentionMs) this.#prune(now);
  }

  /**
   * Why the token must be refused (`token_revoked`, `claims_stale`), or undefined when nothing says so. A token
   * claiming an elevation (`elv`) is stale too when its session's elevation was dropped after it was issued.
   * Keycard's `iat` carries milliseconds, so stamps compare exactly (a whole-second `iat` reads as the start of
   * its second: a token issued in the second of a stamp, before or after it, is stale).
   */
  check(claims: JwtClaims): TokenErrorCode | undefined {
    if (typeof claims.sid === 'string' && this.#ended.has(claims.sid)) return 'token_revoked';
    const issuedAtMs = Math.round(claims.iat * 1000);
    const after = (key: string) => {
      const validAfter = this.#stamps.get(key);
      return validAfter !== undefined && issuedAtMs < validAfter;
    };
    if (after('global:*') || after(`user:${claims.sub}`)) return 'claims_stale';
    if (
      typeof claims.elv === 'number' &&
      typeof claims.sid === 'string' &&
      after(`elevation:${claims.sid}`)
    ) {
      return 'claims_stale';
    }
    const groups = claims.groups;
    if (
      Array.isArray(groups) &&
      groups.some((group) => typeof group === 'string' && after(`group:${group}`))
    ) {
      return 'claims_stale';
    }
    return undefined;
  }

  #stamp(stamp: Stamp): void {
    const key = stamp.scope === 'global' ? 'global:*' : `${stamp.scope}:${stamp.id}`;
    // A stamp only ever moves forward.
    this.#stamps.set(key, Math.max(this.#stamps.get(key) ?? 0, stamp.validAfter));
  }

  #prune(now: number): void {
    this.#prunedAt = now;
    for (const [sid, at] of this.#ended) if (now - at > this.#retentionMs) this.#ended.delete(sid);
    for (const [key, validAfter] of this.#stamps) {
      if (now - validAfter > this.#retentionMs) this.#stamps.delete(key);
    }
  }
}
