import { parseRevocationMessage } from './revocation-message.js';
import type { RevocationFeed } from './revocation-feed.js';

export interface SseRevocationFeedOptions {
  /** Keycard's `GET /events/revocations`. */
  readonly url: string;
  /** One of Keycard's `KEYCARD_SERVICE_KEYS`. */
  readonly serviceKey: string;
  /** Without a byte for this long (ms) the connection is taken for dead and reopened; default 6000 (3 keepalives). */
  readonly idleTimeoutMs?: number;
  /** Wait before reconnecting (ms); default 250, doubling to 5000. */
  readonly reconnectDelayMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly onError?: (error: unknown) => void;
}

/**
 * Keycard's revocation stream over Server-Sent Events, with `fetch`: reconnects on any break, and counts as
 * listening only once a connection's first message (the snapshot) arrived, so nothing missed while away stays
 * unknown.
 */
export function createSseRevocationFeed(options: SseRevocationFeedOptions): RevocationFeed {
  const now = options.now ?? Date.now;
  const idleTimeoutMs = options.idleTimeoutMs ?? 6000;
  const firstDelayMs = options.reconnectDelayMs ?? 250;
  let since: number | undefined;
  let stopped = false;
  const isStopped = () => stopped;
  let controller: AbortController | undefined;
  let running: Promise<void> | undefined;

  async function connectOnce(onMessage: Parameters<RevocationFeed['start']>[0]): Promise<void> {
    controller = new AbortController();
    let idle: NodeJS.Timeout | undefined;
    const resetIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => controller?.abort(new Error('revocation stream idle')), idleTimeoutMs);
    };
    resetIdle();
    try {
      const response = await (options.fetch ?? fetch)(options.url, {
        headers: { authorization: `Bearer ${options.serviceKey}`, accept: 'text/event-stream' },
        signal: controller.signal,
      });
      if (!response.ok || response.body === null) {
        throw new Error(`revocation stream answered ${response.status}`);
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        resetIdle();
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
            .join('\n');
          if (data === '') continue; // a keepalive comment
          const message = parseRevocationMessage(data);
          if (message === undefined) continue;
          onMessage(message);
          if (message.kind === 'snapshot') since ??= now();
        }
      }
    } finally {
      clearTimeout(idle);
      since = undefined;
    }
  }

  return {
    start(onMessage) {
      running ??= (async () => {
        let delay = firstDelayMs;
        while (!isStopped()) {
          const startedAt = now();
          try {
            await connectOnce(onMessage);
          } catch (error) {
            if (!isStopped()) options.onError?.(error);
          }
          if (isStopped()) break;
          // A connection that lasted resets the backoff; one that failed at once doubles it.
          delay = now() - startedAt > 5000 ? firstDelayMs : Math.min(delay * 2, 5000);
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      })();
    },
    listeningSince: () => since,
    async stop() {
      stopped = true;
      controller?.abort(new Error('stopped'));
      await running;
    },
  };
}
