import { JwksCache } from './jwks-cache.js';
import { ACCESS_PURPOSE, ACCESS_TOKEN_TYPE, AUDIENCE_PURPOSE, type JwtClaims } from './jwt-claims.js';
import { createRedisRevocationFeed, type RedisRevocationFeedOptions } from './redis-revocation-feed.js';
import type { RevocationFeed } from './revocation-feed.js';
import { RevocationState } from './revocation-state.js';
import { createSseRevocationFeed, type SseRevocationFeedOptions } from './sse-revocation-feed.js';
import { isTokenError, TokenError, type TokenErrorCode } from './token-error.js';
import { VerifiedJwtCache } from './verified-jwt-cache.js';
import { type JwtPolicy, verifyJwt } from './verify-jwt.js';
import { holdNextTickShapes } from './next-tick-shapes.js';

export interface VerifierOptions {
  /** Keycard's `KEYCARD_ISSUER`. */
  readonly issuer: string;
  /** This service's audience(s): a token must name one. */
  readonly audience: string | readonly string[];
  /** Keycard's `/.well-known/jwks.json`. */
  readonly jwksUrl: string;
  /**
   * How revocations and stamps reach this service: Keycard's SSE stream (`{ sse: { url, serviceKey } }`), its
   * Redis channel (`{ redis: { url, keyPrefix } }`), or a feed of your own. None: tokens are valid until `exp`.
   */
  readonly feed?:
    | { readonly sse: SseRevocationFeedOptions }
    | { readonly redis: RedisRevocationFeedOptions }
    | RevocationFeed;
  /** How long the feed may be down before tokens are no longer accepted on its word (ms); default 5000. */
  readonly feedDownAfterMs?: number;
  /**
   * With the feed down longer than that: refuse every token (`fail-closed`, the default), or ask Keycard's
   * `POST /introspect` about each one.
   */
  readonly whenFeedDown?:
    'fail-closed' | { readonly introspect: { readonly url: string; readonly serviceKey: string } };
  /** Default 30, as Keycard's. */
  readonly clockSkewSeconds?: number;
  /** How long Keycard's tokens live at most (s), to forget ended sessions after; default 3600. */
  readonly maxTokenLifetimeSeconds?: number;
  /** Which Keycard tokens are accepted; default access tokens and audience tokens. */
  readonly purposes?: readonly string[];
  /**
   * How many tokens to remember once their signature has been checked (default 10,000, about 9 MB at most): a
   * client sends the same token until it expires, and a token seen before has only its key, `exp`, `nbf` and
   * `iat` checked again, then the feed as always. 0 checks every signature.
   */
  readonly rememberedTokens?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

export type VerifyResult =
  /** `claims` are frozen when tokens are remembered: every call with the same token is handed the same object. */
  | { readonly ok: true; readonly claims: JwtClaims }
  | { readonly ok: false; readonly code: TokenErrorCode; readonly message: string };

export interface Verifier {
  /** Checks a bearer token: signature, claims, then revocations and stamps. Never throws for a bad token. */
  verify(token: string): Promise<VerifyResult>;
  /** Fetches the keys and waits (up to `timeoutMs`) for the feed's first snapshot. */
  ready(timeoutMs?: number): Promise<void>;
  /** Whether the feed is listening now. */
  feedListening(): boolean;
  readonly jwks: JwksCache;
  close(): Promise<void>;
}

/**
 * Tokens remembered by default: a client holds one access token at a time, so this covers the clients active
 * within a few minutes on a busy service. One Ed25519 check costs 130–250 µs on this machine
 * (`npm run bench -- verify`).
 */
const DEFAULT_REMEMBERED_TOKENS = 10_000;

/**
 * A verifier of Keycard's JWTs for another service, with no Keycard server code in it: keys from the JWKS
 * (refetched on an unknown `kid` at most every 30 s), the same verification rules as Keycard's own
 * (`verifyJwt`), and revocations and stamps from a feed, so an ended session is refused within milliseconds.
 * A token's signature is checked once (`VerifiedJwtCache`, as Keycard does), its revocation state on every call.
 */
export function createVerifier(options: VerifierOptions): Verifier {
  // A service that verifies tokens may sit idle before its first request, as a Keycard server may: see
  // next-tick-shapes.ts (once per process).
  holdNextTickShapes();
  const now = options.now ?? Date.now;
  const jwks = new JwksCache({
    jwksUrl: options.jwksUrl,
    now,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const policy: JwtPolicy = {
    keyFor: (kid) => jwks.keyFor(kid),
    typ: ACCESS_TOKEN_TYPE,
    issuer: options.issuer,
    audiences: typeof options.audience === 'string' ? [options.audience] : options.audience,
    clockSkewSeconds: options.clockSkewSeconds ?? 30,
    purposes: options.purposes ?? [ACCESS_PURPOSE, AUDIENCE_PURPOSE],
  };
  const rememberedTokens = options.rememberedTokens ?? DEFAULT_REMEMBERED_TOKENS;
  if (!Number.isInteger(rememberedTokens) || rememberedTokens < 0) {
    throw new TypeError('rememberedTokens must be a whole number, 0 or more');
  }
  const remembered = rememberedTokens === 0 ? undefined : new VerifiedJwtCache(policy, rememberedTokens);
  const verifySignatureAndClaims = (token: string): JwtClaims =>
    remembered === undefined ? verifyJwt(token, policy, now()) : remembered.verify(token, now());
  const state = new RevocationState({
    retentionMs: ((options.maxTokenLifetimeSeconds ?? 3600) + policy.clockSkewSeconds) * 1000,
  });
  const feed = feedOf(options, now);
  const feedDownAfterMs = options.feedDownAfterMs ?? 5000;
  let lastListeningAt: number | undefined;
  let snapshotSeen: (() => void) | undefined;
  const firstSnapshot = new Promise<void>((resolve) => (snapshotSeen = resolve));
  feed?.start((message) => {
    state.apply(message, now());
    if (message.kind === 'snapshot') snapshotSeen?.();
  });

  /** Whether the feed can vouch for tokens now: listening, or down for less than the bound since it last was. */
  const feedVouches = (): boolean => {
    if (feed === undefined) return true;
    const since = feed.listeningSince();
    if (since !== undefined) {
      lastListeningAt = now();
      return true;
    }
    return lastListeningAt !== undefined && now() - lastListeningAt <= feedDownAfterMs;
  };

  const refuse = (error: unknown): VerifyResult => {
    if (isTokenError(error)) return { ok: false, code: error.code, message: error.message };
    throw error;
  };

  async function introspect(token: string, claims: JwtClaims): Promise<VerifyResult> {
    const whenDown = options.whenFeedDown;
    if (whenDown === undefined || whenDown === 'fail-closed') {
      return refuse(new TokenError('revocation_feed_unavailable'));
    }
    try {
      const response = await (options.fetch ?? fetch)(whenDown.introspect.url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${whenDown.introspect.serviceKey}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ token }).toString(),
      });
      if (!response.ok) throw new Error(`introspection answered ${response.status}`);
      const body = (await response.json()) as { active?: unknown };
      return body.active === true ? { ok: true, claims } : refuse(new TokenError('token_revoked'));
    } catch (error) {
      return refuse(
        new TokenError('revocation_feed_unavailable', 'revocation_feed_unavailable', { cause: error }),
      );
    }
  }

  return {
    jwks,
    async verify(token) {
      let claims: JwtClaims;
      try {
        try {
          claims = verifySignatureAndClaims(token);
        } catch (error) {
          if (
            !isTokenError(error, 'token_key_unknown') ||
            !(await jwks.refreshForUnknownKid().catch(() => false))
          ) {
            throw error;
          }
          claims = verifySignatureAndClaims(token);
        }
        const refusal = state.check(claims);
        if (refusal !== undefined) throw new TokenError(refusal);
      } catch (error) {
        return refuse(error);
      }
      return feedVouches() ? { ok: true, claims } : introspect(token, claims);
    },
    async ready(timeoutMs = 5000) {
      await jwks.refresh();
      if (feed === undefined) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error('the revocation feed sent no snapshot in time')),
          timeoutMs,
        );
      });
      try {
        await Promise.race([firstSnapshot, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    feedListening: () => feed?.listeningSince() !== undefined,
    close: async () => {
      await feed?.stop();
    },
  };
}

function feedOf(options: VerifierOptions, now: () => number): RevocationFeed | undefined {
  const { feed } = options;
  if (feed === undefined) return undefined;
  if ('sse' in feed)
    return createSseRevocationFeed({
      now,
      ...feed.sse,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
  if ('redis' in feed) return createRedisRevocationFeed({ now, ...feed.redis });
  return feed;
}
