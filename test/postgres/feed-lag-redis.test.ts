import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { createKeycardMetrics } from '../../src/observability/keycard-metrics.js';
import type { SessionChange, SessionSync } from '../../src/sessions/session-sync.js';
import { createRedisSessionSync } from '../../src/store/redis/create-redis-session-sync.js';
import { TEST_REDIS_URL } from '../support/cluster-node.js';

const syncs: SessionSync[] = [];
afterEach(async () => {
  for (const sync of syncs.splice(0)) await sync.stop();
});

describe('the Redis change feed', () => {
  it('reports how long a change took to reach another node, and whether each node is subscribed', async () => {
    const keyPrefix = `keycard-test-${randomBytes(4).toString('hex')}:`;
    const lags: number[] = [];
    const heard: SessionChange[] = [];
    const sender = createRedisSessionSync({ url: TEST_REDIS_URL, clock: systemClock, keyPrefix });
    const receiver = createRedisSessionSync({
      url: TEST_REDIS_URL,
      clock: systemClock,
      keyPrefix,
      onFeedLag: (lagMs) => lags.push(lagMs),
    });
    syncs.push(sender, receiver);
    await sender.start(
      () => undefined,
      () => undefined,
    );
    await receiver.start(
      (change) => heard.push(change),
      () => undefined,
    );
    const metrics = createKeycardMetrics({
      countSessions: () => Promise.resolve(0),
      feedListening: () => receiver.listeningSince() !== undefined,
    });

    await sender.announce({ kind: 'ended', sessionUuids: ['4d7f4b4e-6a55-4a53-9f0b-3f1f7b0c2a11'] });
    const deadline = Date.now() + 2000;
    while (lags.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(heard).toHaveLength(1);
    expect(lags).toHaveLength(1);
    expect(lags[0]).toBeGreaterThanOrEqual(0);
    expect(lags[0]).toBeLessThan(1000);
    metrics.recordFeedLag(lags[0] ?? 0);

    const text = await metrics.exposition();
    expect(text).toMatch(/^keycard_change_feed_up 1$/m);
    expect(text).toMatch(/^keycard_change_feed_lag_seconds_count 1$/m);
    await receiver.stop();
    expect(await metrics.exposition()).toMatch(/^keycard_change_feed_up 0$/m);
  });
});
