import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { KeycardEvent } from '../core/keycard-events.js';
import type { RevocationReason } from '../core/errors.js';
import type { SessionCacheCounters } from '../sessions/session-state-cache.js';
import { RequestDurations } from './request-durations.js';

/** The active-sessions gauge counts rows in the store; at most this often, however often Prometheus scrapes. */
const SESSION_COUNT_INTERVAL_MS = 15_000;

const REVOCATION_REASONS: readonly RevocationReason[] = [
  'sign_out',
  'revoked',
  'revoked_others',
  'refresh_reuse',
  'expired',
  'revoked_by_admin',
  'user_disabled',
  'password_changed',
  'account_deleted',
  'upgraded',
];

export interface MetricsSources {
  /** Sessions in the store (the active-sessions gauge). */
  readonly countSessions: () => Promise<number>;
  /** Whether the Redis change feed is listening; none without Redis (no feed metrics then). */
  readonly feedListening?: () => boolean;
  /** Milliseconds since the epoch; `Date.now` by default. */
  readonly now?: () => number;
}

/** One Keycard node's Prometheus metrics, in a registry of its own (no global state). */
export interface KeycardMetrics {
  readonly registry: Registry;
  readonly requestDurations: RequestDurations;
  /** Pass to `createKeycard` so session lookups are counted. */
  readonly cacheCounters: SessionCacheCounters;
  /** Pass to `createKeycard` as an `onEvent` listener. */
  recordEvent(event: KeycardEvent): void;
  /** Pass to the Redis session sync as `onFeedLag`. */
  recordFeedLag(lagMs: number): void;
  /** The Prometheus text exposition of every metric. */
  exposition(): Promise<string>;
  readonly contentType: string;
}

/**
 * Creates the metrics: Node's defaults (CPU, memory, GC, event-loop lag), HTTP latency by route and status, and
 * what happened to accounts and sessions, fed from Keycard's domain events.
 */
export function createKeycardMetrics(sources: MetricsSources): KeycardMetrics {
  const registry = new Registry();
  const registers = [registry];
  const now = sources.now ?? Date.now;
  collectDefaultMetrics({ register: registry });

  const signIns = new Counter({
    name: 'keycard_sign_ins_total',
    help: 'Sign-ins, by result: succeeded or failed (unknown email and wrong password alike).',
    labelNames: ['result'] as const,
    registers,
  });
  const registrations = new Counter({
    name: 'keycard_registrations_total',
    help: 'Accounts registered.',
    registers,
  });
  const anonymousSessions = new Counter({
    name: 'keycard_anonymous_sessions_total',
    help: 'Anonymous sessions started (POST /auth/anonymous); those upgraded end with reason upgraded.',
    registers,
  });
  const refreshes = new Counter({
    name: 'keycard_refreshes_total',
    help: 'Token refreshes, by kind: rotated, or grace_retry (a just-used token presented again in the grace period).',
    labelNames: ['kind'] as const,
    registers,
  });
  const reuse = new Counter({
    name: 'keycard_refresh_reuse_detected_total',
    help: 'Refresh tokens presented again after their grace period: each revoked its session as stolen.',
    registers,
  });
  const sessionsEnded = new Counter({
    name: 'keycard_sessions_ended_total',
    help: 'Sessions ended, by reason: sign_out, revoked, revoked_others, refresh_reuse, expired, revoked_by_admin, user_disabled, password_changed, account_deleted or upgraded.',
    labelNames: ['reason'] as const,
    registers,
  });
  // Every series exists from the start, so a rate over a fresh process is 0 rather than absent.
  for (const result of ['succeeded', 'failed']) signIns.inc({ result }, 0);
  for (const kind of ['rotated', 'grace_retry']) refreshes.inc({ kind }, 0);
  for (const reason of REVOCATION_REASONS) sessionsEnded.inc({ reason }, 0);

  let sessionCount: { value: number; at: number } | undefined;
  new Gauge({
    name: 'keycard_active_sessions',
    help: `Sessions in the store: live ones, and expired ones until the sweep moves them out. Counted at most every ${SESSION_COUNT_INTERVAL_MS / 1000} s; every node sharing a database reports the same number.`,
    registers,
    async collect() {
      if (sessionCount === undefined || now() - sessionCount.at >= SESSION_COUNT_INTERVAL_MS) {
        try {
          sessionCount = { value: await sources.countSessions(), at: now() };
        } catch {
          // The store is down: the last count stands (and /health says why).
        }
      }
      if (sessionCount !== undefined) this.set(sessionCount.value);
    },
  });

  const cacheCounters: SessionCacheCounters = { localHits: 0, sharedHits: 0, storeReads: 0 };
  new Counter({
    name: 'keycard_session_cache_lookups_total',
    help: 'Session lookups by how they were answered: local_hit (in-process cache), shared_hit (Redis) or store (the database). Hit ratio: rate of local_hit over the rate of all.',
    labelNames: ['result'] as const,
    registers,
    collect() {
      this.reset();
      this.inc({ result: 'local_hit' }, cacheCounters.localHits);
      this.inc({ result: 'shared_hit' }, cacheCounters.sharedHits);
      this.inc({ result: 'store' }, cacheCounters.storeReads);
    },
  });

  const { feedListening } = sources;
  let feedLag: Histogram | undefined;
  if (feedListening !== undefined) {
    new Gauge({
      name: 'keycard_change_feed_up',
      help: 'Whether this node is subscribed to the Redis change feed (1) or not (0: it trusts its cache only briefly).',
      registers,
      collect() {
        this.set(feedListening() ? 1 : 0);
      },
    });
    feedLag = new Histogram({
      name: 'keycard_change_feed_lag_seconds',
      help: 'How long changes from other nodes took to arrive on the Redis feed (by the two nodes’ clocks).',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
  }

  const requestDurations = new RequestDurations();
  return {
    registry,
    requestDurations,
    cacheCounters,
    contentType: registry.contentType,
    recordEvent(event) {
      switch (event.type) {
        case 'registered':
          registrations.inc();
          break;
        case 'signed_in':
          signIns.inc({ result: 'succeeded' });
          break;
        case 'sign_in_failed':
          signIns.inc({ result: 'failed' });
          break;
        case 'anonymous_session_started':
          anonymousSessions.inc();
          break;
        case 'session_refreshed':
          refreshes.inc({ kind: event.retry ? 'grace_retry' : 'rotated' });
          break;
        case 'refresh_reuse_detected':
          reuse.inc();
          break;
        case 'session_ended':
          sessionsEnded.inc({ reason: event.reason });
          break;
      }
    },
    recordFeedLag(lagMs) {
      feedLag?.observe(lagMs / 1000);
    },
    async exposition() {
      return (await registry.metrics()) + requestDurations.format();
    },
  };
}
