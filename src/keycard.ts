import { hkdfSync, randomBytes } from 'node:crypto';
import type { AccountContext } from './accounts/account-context.js';
import { createArgon2PasswordHasher } from './accounts/argon2-password-hasher.js';
import type { PasswordHasher } from './accounts/password-hasher.js';
import { type Credentials, register, type SignedIn } from './accounts/register.js';
import { type LegacySignedIn, signIn, upgradeAndSignIn } from './accounts/sign-in.js';
import { authenticateLegacyToken } from './accounts/authenticate-legacy-token.js';
import type { SessionUser } from './accounts/user.js';
import { type Clock, systemClock } from './core/clock.js';
import { MIN_SECRET_BYTES } from './core/config.js';
import { fanOutEvents, type KeycardEventListener, type RequestContext } from './core/keycard-events.js';
import type { RateLimitPolicy } from './core/rate-limit-policy.js';
import type { AuditLogStore } from './audit/audit-log-store.js';
import { createAuditLog } from './audit/create-audit-log.js';
import type { EventsPage, EventsPageRequest } from './audit/list-user-events.js';
import type { AttemptCounter } from './rate-limits/attempt-counter.js';
import { createMemoryAttemptCounter } from './rate-limits/create-memory-attempt-counter.js';
import { createRateLimiter, noRateLimits } from './rate-limits/rate-limiter.js';
import { limitTokenFailures } from './rate-limits/limit-token-failures.js';
import { type ApiVersionPolicy, resolveApiVersion } from './sessions/api-versions.js';
import {
  type AuthenticatedSession,
  authenticateAccessToken,
  requireAccount,
} from './sessions/authenticate-access-token.js';
import { beginAnonymousSession } from './sessions/begin-anonymous-session.js';
import { findAnonymousOrigin } from './sessions/find-anonymous-origin.js';
import { authenticateCachedAccessToken } from './sessions/authenticate-cached-access-token.js';
import { listOwnSessions } from './sessions/list-sessions.js';
import { refreshSession } from './sessions/refresh-session.js';
import {
  revokeOtherSessions,
  revokeOwnSession,
  signOut,
  signOutEverywhere,
} from './sessions/revoke-sessions.js';
import type { Session } from './sessions/session.js';
import type { CachedSession, SessionCache } from './sessions/session-cache.js';
import { SessionLedger } from './sessions/session-ledger.js';
import { type SessionCacheCounters, SessionStateCache } from './sessions/session-state-cache.js';
import type { SessionSync } from './sessions/session-sync.js';
import type { SessionLifetimes } from './sessions/session-lifetimes.js';
import type { SessionStore } from './sessions/session-store.js';
import type { SessionTokens } from './sessions/session-tokens.js';
import type { AnonymousOrigin, AnonymousSessionOptions, SessionOptions } from './sessions/start-session.js';
import { type SweepResult, sweepExpiredSessions } from './sessions/sweep-expired-sessions.js';
import { type BackgroundSchedule, startBackgroundTasks } from './sessions/background-tasks.js';
import { pollSessionChanges } from './sessions/poll-session-changes.js';
import type { UserStore } from './accounts/user-store.js';
import type { ClaimsStamp, ClaimsStampStore } from './claims/claims-stamp.js';
import { AccessCache, type CachedAccess } from './access/access-cache.js';
import { userAccess } from './access/user-access.js';
import { dropElevation, elevateSession, isElevatedAt } from './sessions/elevate-session.js';
import { changePassword, type PasswordChange } from './accounts/change-password.js';
import { changeEmail } from './accounts/change-email.js';
import { deleteAccount } from './accounts/delete-account.js';
import type { LiveSession } from './sessions/session-cache.js';
import type { AccessStore } from './access/access-store.js';
import { ClaimsStamps } from './claims/claims-stamps.js';
import { loadStamps } from './claims/load-stamps.js';
import { createKeycardAdmin, type KeycardAdmin } from './keycard-admin.js';
import {
  createKeycardJwt,
  type JwtOptions,
  jwtAwareAuthentication,
  jwtSettingsFrom,
  type KeycardJwt,
} from './keycard-jwt.js';
import type { StaleClaimsQuery } from './sessions/jwt-access-tokens.js';
import type { ClaimsHook } from './sessions/custom-claims.js';
import type { Stamp } from './verify/revocation-message.js';
import { RevocationFeed } from './sessions/revocation-feed.js';
import type { SigningKeyStore } from './tokens/signing-key-store.js';

export interface KeycardDependencies {
  readonly store: SessionStore & UserStore & SigningKeyStore & ClaimsStampStore & AccessStore;
  readonly clock?: Clock;
  readonly passwordHasher?: PasswordHasher;
  readonly cache?: SessionCache;
  /** The shared cache and change feed of several nodes (Redis); none for one node. */
  readonly sync?: SessionSync;
  /** Told what happened (metrics, audit log); after the store committed it. Each listener hears every event. */
  readonly onEvent?: KeycardEventListener | readonly KeycardEventListener[];
  /** Counts how session lookups were answered (metrics). */
  readonly cacheCounters?: SessionCacheCounters;
  /** Where the audit log is kept (the store of record); none keeps no audit log. */
  readonly auditLog?: AuditLogStore;
  /** Told when audit events could not be written (they are retried) or were lost. */
  readonly onAuditLogError?: (error: unknown) => void;
  /** Where rate-limit counters live when `rateLimits` is set (Redis, to share them); default: in memory. */
  readonly attemptCounter?: AttemptCounter;
  /**
   * Whether a JWT's claims are older than a stamp of its user, a group or everyone (then 401 `claims_stale`);
   * called after the signature and claim checks, from memory. Default: never stale.
   */
  readonly isClaimsStale?: (token: StaleClaimsQuery) => boolean;
  /** Values of registered custom claims for a user and audience (the embedding app's); synchronous. */
  readonly claimsFor?: ClaimsHook;
  /**
   * The stamps in force, for the snapshot that opens each revocation stream (new stamps are published on
   * `keycard.revocations` as they are set). Default: none.
   */
  readonly currentStamps?: () => readonly Stamp[];
}

export interface KeycardOptions {
  /** The server secret, at least 32 bytes. Keys for token derivation are derived from it. */
  readonly secret: Uint8Array;
  readonly lifetimes: SessionLifetimes;
  readonly accessTtlSeconds: number;
  readonly refreshGraceSeconds: number;
  readonly apiVersions: ApiVersionPolicy;
  /** Size of the in-process session cache when no `cache` is given. */
  readonly cacheMaxSessions?: number;
  /** With `sync` down: how long a cached session may be trusted (ms); default 1000. */
  readonly feedDownTrustMs?: number;
  /** Without `sync`: how long a cached session may be trusted (ms); default unbounded (one node). */
  readonly cacheMaxStalenessMs?: number;
  /** Rate limits and lockouts; none enforces none (most tests; the server sets them from its configuration). */
  readonly rateLimits?: RateLimitPolicy;
  /** How long audit events are kept (s); default 90 days. */
  readonly auditRetentionSeconds?: number;
  /** JWT access tokens, signing keys, issuer and audiences; defaults: opaque access tokens, EdDSA keys. */
  readonly jwt?: JwtOptions;
  /**
   * HS256 key of legacy (account version 003) JWTs, at least 32 bytes: the old deployment's key when its accounts
   * are migrated. Default: derived from `secret`.
   */
  readonly legacyJwtSecret?: Uint8Array;
  /**
   * The longest lifetime of any token whose claims stamps are checked (s): stamps older than this are
   * forgotten. Default: `accessTtlSeconds` plus a minute; a JWT issuer with longer-lived tokens raises it.
   */
  readonly stampHorizonSeconds?: number;
  /** How long `elevate` elevates a session (s); default 600. */
  readonly elevationTtlSeconds?: number;
  /** Group ids a sign-in may name for its session; default none. */
  readonly sessionGroups?: readonly string[];
}

/** What `isClaimsStale` needs of a token. */
export interface ClaimsToCheck {
  /** The user the token is about (a JWT's `sub`). */
  readonly userUuid: string;
  /** The group of its session, as the token carries it (null or absent: in no group). */
  readonly groupId?: string | null;
  /**
   * The session of a token that claims an elevation (a JWT's `sid`, when it has `elv`): the session's elevation
   * stamp (its last "depermify") refuses it too. Absent or null: the token claims none.
   */
  readonly elevatedSessionUuid?: string | null;
  /** When the token was issued (ms); for a JWT of Keycard's, `Math.round(iat * 1000)` (`iat` has ms). */
  readonly issuedAtMs: number;
  /** How precise `issuedAtMs` is (ms): 1 (default) for exact times, 1000 for a JWT `iat` in whole seconds. */
  readonly precisionMs?: number;
}

/**
 * Keycard's operations, free of HTTP and of any particular database. `request` (where an operation came from)
 * feeds per-address rate limits and the audit log; operations without one skip the per-address limits.
 */
export interface Keycard {
  readonly lifetimes: SessionLifetimes;
  resolveApiVersion(requested: string | undefined): string;
  register(credentials: Credentials, options: SessionOptions, request?: RequestContext): Promise<SignedIn>;
  /** A legacy account (version 003) gets its JWT and no session. */
  signIn(
    credentials: Credentials,
    options: SessionOptions,
    request?: RequestContext,
  ): Promise<SignedIn | LegacySignedIn>;
  /** Signs in, first moving a legacy account to version 004 (its legacy JWTs end). */
  upgradeAndSignIn(
    credentials: Credentials,
    options: SessionOptions,
    request?: RequestContext,
  ): Promise<SignedIn>;
  /**
   * The user of a legacy JWT (account version 003). Throws `token_invalid`, or `session_required` when the
   * account has moved to sessions.
   */
  authenticateLegacy(legacyToken: string, request?: RequestContext): Promise<SessionUser>;
  /**
   * The user's session an access token belongs to. An anonymous session's token gets 403 `account_required`.
   * `request` (where the token came from) feeds the per-address limit on invalid tokens.
   */
  authenticate(accessToken: string, request?: RequestContext): Promise<AuthenticatedSession>;
  /**
   * `authenticate`'s steady state, synchronously: the caller when the in-process cache alone can accept the
   * token, else undefined (then call `authenticate`, which decides). Never refuses an opaque token but an
   * anonymous session's (`account_required`); a JWT that fails verification (signature, claims, stamps) is
   * refused here, by throwing, since no lookup could save it.
   */
  authenticateCached(accessToken: string): AuthenticatedSession | undefined;
  /** Like `authenticate`, but an anonymous session is accepted too: its `user` is null. */
  authenticateCaller(accessToken: string, request?: RequestContext): Promise<CachedSession>;
  /** Like `authenticateCached`, but an anonymous session is accepted too: its `user` is null. */
  authenticateCallerCached(accessToken: string): CachedSession | undefined;
  /**
   * `POST /auth/anonymous`: a new session with no user and a new anonymous id, and its tokens. Limited per
   * client address (`rate_limited`).
   */
  beginAnonymousSession(
    options: AnonymousSessionOptions,
    request?: RequestContext,
  ): Promise<{ session: Session; tokens: SessionTokens }>;
  /**
   * The anonymous session of the access token a sign-in or registration came with, to pass on as
   * `SessionOptions.fromAnonymous`; undefined for a user's session's token and for any token refused (see
   * `findAnonymousOrigin`). Throws only `store_unavailable`.
   */
  findAnonymousOrigin(accessToken: string, request?: RequestContext): Promise<AnonymousOrigin | undefined>;
  /** Whether a token presents itself as a JWT access token (then `authenticate` checks it, not `authenticateLegacy`). */
  isAccessJwt(token: string): boolean;
  refresh(
    refreshToken: string,
    request?: RequestContext,
  ): Promise<{ session: Session; tokens: SessionTokens }>;
  /** Ends the caller's session (reason `sign_out`): a user's or an anonymous one. */
  signOut(current: CachedSession, request?: RequestContext): Promise<void>;
  listSessions(current: AuthenticatedSession): Promise<Session[]>;
  revokeSession(current: AuthenticatedSession, sessionUuid: string, request?: RequestContext): Promise<void>;
  revokeOtherSessions(current: AuthenticatedSession, request?: RequestContext): Promise<number>;
  /** The caller's own security history, newest first (empty without an audit log). */
  listOwnEvents(current: AuthenticatedSession, page?: EventsPageRequest): Promise<EventsPage>;
  /** Any user's security history: for administrators (no route serves it yet; roles will guard one). */
  listUserEvents(userUuid: string, page?: EventsPageRequest): Promise<EventsPage>;
  /**
   * The stamp check for self-contained tokens (JWT access tokens, verified elsewhere): whether a token about
   * `userUuid` (in `groupId`) issued at `issuedAtMs` was issued before a stamp that applies to it (user, group
   * or global), in which case it must be refused with `claims_stale`. Synchronous, from memory, no SQL and no
   * allocation. Until the stamps are loaded (`loadClaimsStamps`, done by `start` and by every sign-in and
   * refresh) it fails closed: true. For one of Keycard's JWTs: `{ userUuid: sub, groupId: groups[0] ?? null,
   * elevatedSessionUuid: elv ? sid : null, issuedAtMs: Math.round(iat * 1000) }`; for a JWT whose `iat` is in whole
   * seconds add `precisionMs: 1000`. Opaque access tokens are checked by `authenticate` itself.
   */
  isClaimsStale(token: ClaimsToCheck): boolean;
  /** The roles and effective permissions of a user held in memory, if still valid (no SQL, no allocation). */
  cachedAccess(userUuid: string): CachedAccess | undefined;
  /** The same, read from the store when not held (then held). */
  userAccess(userUuid: string): Promise<CachedAccess>;
  /** Sign-out everywhere: every session of the caller's ends; returns how many. */
  signOutEverywhere(current: AuthenticatedSession, request?: RequestContext): Promise<number>;
  /** Returns how many other sessions were revoked. */
  changePassword(
    current: AuthenticatedSession,
    change: PasswordChange,
    request?: RequestContext,
  ): Promise<number>;
  /** Needs an elevated session; returns the new (normalised) email. */
  changeEmail(
    current: AuthenticatedSession,
    change: { email: string; password: string },
    request?: RequestContext,
  ): Promise<string>;
  /** Needs an elevated session. */
  deleteAccount(current: AuthenticatedSession, password: string, request?: RequestContext): Promise<void>;
  /** Step-up: confirms the password and elevates the caller's session; returns until when (ms). */
  elevate(current: AuthenticatedSession, password: string, request?: RequestContext): Promise<number>;
  /** Drops the caller's elevation at once. */
  dropElevation(current: AuthenticatedSession, request?: RequestContext): Promise<void>;
  /** Whether a session is elevated now (step-up; `POST /session/elevate`). */
  isElevated(session: LiveSession): boolean;
  /** Loads the stamps that can still refuse a token into memory (once; later calls return at once). */
  loadClaimsStamps(): Promise<void>;
  /** Administration: accounts, disabling, any user's sessions (`keycard users …`, `keycard sessions …`). */
  readonly admin: KeycardAdmin;
  /**
   * The same, done for a request (the admin API): its address, user agent and acting administrator
   * (`request.actorUuid`) go to the audit log with what it changes.
   */
  adminFor(request: RequestContext): KeycardAdmin;
  /** JWT settings, the public keys (JWKS) and key rotation (`keycard keys …`). */
  readonly jwt: KeycardJwt;
  /** What the revocation stream (`GET /events/revocations`) relays: sessions that ended, stamps. */
  readonly revocations: RevocationFeed;
  sweep(): Promise<SweepResult>;
  /** Drops cached sessions that other nodes changed since `since` (ms); returns where the next poll starts. */
  pollChanges(since: number): Promise<number>;
  /** Starts listening to other nodes and the periodic sweep and poll. */
  start(schedule: BackgroundSchedule): Promise<void>;
  /** Throws `store_unavailable` when the store does not answer. */
  checkHealth(): Promise<void>;
  /** Stops background work, stops listening and closes the store. */
  close(): Promise<void>;
}

/** A claims stamp as the revocation stream carries it (`*` names the global one). */
function verifierStampOf(stamp: ClaimsStamp): Stamp {
  return {
    scope: stamp.scope,
    id: stamp.scope === 'global' ? '*' : stamp.subject,
    validAfter: stamp.validAfter,
  };
}

/** Wires Keycard from explicit dependencies; there are no globals. */
export function createKeycard(dependencies: KeycardDependencies, options: KeycardOptions): Keycard {
  if (options.secret.length < MIN_SECRET_BYTES) {
    throw new TypeError(`secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  if (options.legacyJwtSecret !== undefined && options.legacyJwtSecret.length < MIN_SECRET_BYTES) {
    throw new TypeError(`legacyJwtSecret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  const passwordHasher = dependencies.passwordHasher ?? createArgon2PasswordHasher();
  let decoyHash: Promise<string> | undefined;
  const clock = dependencies.clock ?? systemClock;
  const listeners = dependencies.onEvent ?? [];
  const auditLog =
    dependencies.auditLog === undefined
      ? undefined
      : createAuditLog(dependencies.auditLog, {
          clock,
          ...(options.auditRetentionSeconds === undefined
            ? {}
            : { retentionSeconds: options.auditRetentionSeconds }),
          ...(dependencies.onAuditLogError === undefined ? {} : { onError: dependencies.onAuditLogError }),
        });
  const onEvent = fanOutEvents([
    ...(auditLog === undefined ? [] : [auditLog.record]),
    ...(typeof listeners === 'function' ? [listeners] : listeners),
  ]);
  const attemptCounter =
    options.rateLimits === undefined
      ? undefined
      : (dependencies.attemptCounter ?? createMemoryAttemptCounter({ clock }));
  const stamps = new ClaimsStamps({
    onChange: (stamp) => {
      // What users hold is read again after their stamp (or the global one) moved; groups and elevations leave it.
      if (stamp.scope === 'user' || stamp.scope === 'global') {
        accessCache.invalidate(stamp.scope === 'user' ? stamp.subject : null);
      }
      // Services verifying JWTs themselves hear it on the revocation stream (`keycard/verify`).
      revocations.publish({ kind: 'stamp', ...verifierStampOf(stamp), at: clock.now() });
    },
  });
  const accessCache: AccessCache = new AccessCache({
    capacity: options.cacheMaxSessions ?? 100_000,
    validAfterOf: (userUuid) => stamps.userValidAfter(userUuid),
    trusts: (loadedAt) => cache.trusts(loadedAt),
  });
  const revocations = new RevocationFeed();
  const cache = new SessionStateCache({
    onEnded: (sessionUuids) =>
      revocations.publish({ kind: 'ended', sessions: sessionUuids, at: clock.now() }),
    onRemoteStamp: (stamp) => stamps.apply(stamp),
    local:
      dependencies.cache ??
      new SessionLedger({ capacity: options.cacheMaxSessions ?? 100_000, lifetimes: options.lifetimes }),
    clock,
    ...(dependencies.sync === undefined ? {} : { sync: dependencies.sync }),
    ...(options.feedDownTrustMs === undefined ? {} : { feedDownTrustMs: options.feedDownTrustMs }),
    ...(options.cacheMaxStalenessMs === undefined ? {} : { maxStalenessMs: options.cacheMaxStalenessMs }),
    ...(dependencies.cacheCounters === undefined ? {} : { counters: dependencies.cacheCounters }),
  });
  const jwt = jwtSettingsFrom(options.jwt ?? {}, {
    store: dependencies.store,
    secret: options.secret,
    clock,
    // A JWT's claims are stale when a stamp of its user, its session's group or everyone moved after its `iat`
    // (with milliseconds), or, for one claiming an elevation, its session's elevation was dropped since; until
    // the stamps are loaded nothing is trusted.
    isClaimsStale:
      dependencies.isClaimsStale ??
      (({ userUuid, sessionUuid, groupId, elevated, issuedAtMs }) =>
        !stamps.loaded ||
        stamps.isStale(userUuid, groupId ?? null, issuedAtMs, 1, elevated === true ? sessionUuid : null)),
    ...(dependencies.claimsFor === undefined ? {} : { claimsFor: dependencies.claimsFor }),
  });
  const effectiveAccessTtlSeconds = jwt.format === 'jwt' ? jwt.ttlSeconds : options.accessTtlSeconds;
  const context: AccountContext = {
    store: dependencies.store,
    jwt,
    cache,
    clock,
    chainKey: new Uint8Array(
      hkdfSync('sha256', options.secret, new Uint8Array(), 'keycard refresh chain v1', 32),
    ),
    lifetimes: options.lifetimes,
    stamps,
    access: accessCache,
    elevationTtlMs: (options.elevationTtlSeconds ?? 600) * 1000,
    sessionGroups: new Set(options.sessionGroups ?? []),
    // Stamps must outlive the longest access token, whichever format (and its clock skew).
    stampHorizonMs: (options.stampHorizonSeconds ?? effectiveAccessTtlSeconds + 60) * 1000,
    // JWT access tokens live `KEYCARD_JWT_TTL`; opaque ones `KEYCARD_ACCESS_TTL`.
    accessTtlSeconds: effectiveAccessTtlSeconds,
    refreshGraceSeconds: options.refreshGraceSeconds,
    deniedApiVersions: new Set(options.apiVersions.denied ?? []),
    emit: (event) => onEvent(event, clock.now()),
    // Present (and undefined) here so that `inRequest`'s copy only changes keys the copy already has: see there.
    request: undefined,
    passwordHasher,
    legacyJwtKey:
      options.legacyJwtSecret ??
      new Uint8Array(hkdfSync('sha256', options.secret, new Uint8Array(), 'keycard legacy jwt v1', 32)),
    decoyPasswordHash: () => (decoyHash ??= passwordHasher.hash(randomBytes(32).toString('base64url'))),
    rateLimiter:
      options.rateLimits === undefined || attemptCounter === undefined
        ? noRateLimits
        : createRateLimiter({
            counter: attemptCounter,
            policy: options.rateLimits,
            keySecret: new Uint8Array(
              hkdfSync('sha256', options.secret, new Uint8Array(), 'keycard rate limit keys v1', 32),
            ),
          }),
  };
  // An operation that came with a request context sees it in its context, and so do the events it emits.
  // Node 20's V8 gives a spread copy a hidden class of its own, and a key the source lacks, added after the spread,
  // then builds new hidden classes on every call (`node --log-maps` showed nine a sign-in). So the context's
  // copy only sets keys `context` already has, and an event's copy starts from a literal (`{ request, ...event }`
  // adds the event's keys along transitions V8 keeps); no domain event carries a `request` of its own.
  const inRequest = (request: RequestContext | undefined): AccountContext =>
    request === undefined
      ? context
      : { ...context, request, emit: (event) => onEvent({ request, ...event }, clock.now()) };
  const sweep = async (): Promise<SweepResult> => {
    const result = await sweepExpiredSessions(context);
    return auditLog === undefined ? result : { ...result, auditEventsPruned: await auditLog.prune() };
  };
  const noEvents: EventsPage = { events: [], nextCursor: null };

  let stopBackgroundTasks = () => Promise.resolve();
  const authentication = jwtAwareAuthentication(context, {
    authenticate: (accessToken) => authenticateAccessToken(context, accessToken),
    authenticateCached: (accessToken) => authenticateCachedAccessToken(context, accessToken),
  });
  const authenticateCaller = (accessToken: string, request: RequestContext | undefined) =>
    limitTokenFailures(context.rateLimiter, request, async () => {
      // Opaque tokens load the stamps themselves; a JWT's stamp check is synchronous, so they are loaded here.
      await loadStamps(context);
      return authentication.authenticate(accessToken);
    });
  // Operations that issue JWT access tokens sign synchronously: the keys are read (or created) first. Opaque
  // access tokens need no key, so those operations then cost no statement more.
  const keysReady = () => (jwt.format === 'jwt' ? jwt.keyring.ready() : Promise.resolve());

  return {
    lifetimes: options.lifetimes,
    resolveApiVersion: (requested) => resolveApiVersion(options.apiVersions, requested),
    register: async (credentials, sessionOptions, request) => {
      await keysReady();
      return register(inRequest(request), credentials, sessionOptions);
    },
    signIn: async (credentials, sessionOptions, request) => {
      await keysReady();
      return signIn(inRequest(request), credentials, sessionOptions);
    },
    upgradeAndSignIn: async (credentials, sessionOptions, request) => {
      await keysReady();
      return upgradeAndSignIn(inRequest(request), credentials, sessionOptions);
    },
    authenticateLegacy: (legacyToken, request) =>
      limitTokenFailures(context.rateLimiter, request, () => authenticateLegacyToken(context, legacyToken)),
    authenticate: async (accessToken, request) =>
      requireAccount(await authenticateCaller(accessToken, request)),
    authenticateCached: (accessToken) => {
      const caller = authentication.authenticateCached(accessToken);
      return caller === undefined ? undefined : requireAccount(caller);
    },
    authenticateCaller,
    authenticateCallerCached: authentication.authenticateCached,
    beginAnonymousSession: async (sessionOptions, request) => {
      await keysReady();
      return beginAnonymousSession(inRequest(request), sessionOptions);
    },
    findAnonymousOrigin: (accessToken, request) =>
      findAnonymousOrigin((token) => authenticateCaller(token, request), accessToken),
    isAccessJwt: authentication.isAccessJwt,
    refresh: async (refreshToken, request) => {
      await keysReady();
      return refreshSession(inRequest(request), refreshToken);
    },
    signOut: (current, request) => signOut(inRequest(request), current),
    listSessions: (current) => listOwnSessions(context, current),
    revokeSession: (current, sessionUuid, request) =>
      revokeOwnSession(inRequest(request), current, sessionUuid),
    revokeOtherSessions: (current, request) => revokeOtherSessions(inRequest(request), current),
    listOwnEvents: async (current, page) =>
      (await auditLog?.listUserEvents(current.user.uuid, page)) ?? noEvents,
    listUserEvents: async (userUuid, page) => (await auditLog?.listUserEvents(userUuid, page)) ?? noEvents,
    isClaimsStale: ({ userUuid, groupId = null, elevatedSessionUuid = null, issuedAtMs, precisionMs = 1 }) =>
      !stamps.loaded || stamps.isStale(userUuid, groupId, issuedAtMs, precisionMs, elevatedSessionUuid),
    loadClaimsStamps: () => loadStamps(context),
    cachedAccess: (userUuid) => context.access.find(userUuid),
    userAccess: (userUuid) => userAccess(context, userUuid),
    isElevated: (session) => isElevatedAt(session, clock.now()),
    signOutEverywhere: (current, request) => signOutEverywhere(inRequest(request), current),
    changePassword: (current, change, request) => changePassword(inRequest(request), current, change),
    changeEmail: (current, change, request) => changeEmail(inRequest(request), current, change),
    async deleteAccount(current, password, request) {
      await deleteAccount(inRequest(request), current, password);
      await auditLog?.forgetUser(current.user.uuid);
    },
    elevate: (current, password, request) => elevateSession(inRequest(request), current, password),
    dropElevation: (current, request) => dropElevation(inRequest(request), current),
    admin: createKeycardAdmin(context),
    adminFor: (request) => createKeycardAdmin(inRequest(request)),
    jwt: createKeycardJwt(
      context,
      { authenticate: (token) => authenticateAccessToken(context, token) },
      dependencies.currentStamps ?? (() => stamps.all().map(verifierStampOf)),
    ),
    revocations,
    sweep,
    pollChanges: (since) => pollSessionChanges(context, since),
    async start(schedule) {
      await cache.start();
      await loadStamps(context);
      stopBackgroundTasks = startBackgroundTasks(context, schedule, sweep);
    },
    checkHealth: () => context.store.ping(),
    async close() {
      await stopBackgroundTasks();
      await cache.stop();
      await auditLog?.close(); // after the last event (the sweep's), before the store closes
      await attemptCounter?.close();
      await context.store.close();
    },
  };
}
