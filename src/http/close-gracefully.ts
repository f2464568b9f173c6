import type { FastifyInstance } from 'fastify';

export interface GracefulCloseResult {
  /** Whether every in-flight request finished within the bound. */
  readonly inTime: boolean;
  /** Connections still open when the bound passed (closed then); 0 when in time. */
  readonly connectionsClosed: number;
}

/** While draining, how often connections left idle by a finished request are closed. */
const IDLE_SWEEP_MS = 50;

/**
 * Tells whether the app has begun to close. Every response sent from then on should end its connection
 * (`Connection: close`, set by the app's onSend hook), so a keep-alive client whose request was in flight moves
 * on, and the shutdown need not wait out its idle timeout. Register when building the app.
 */
export function trackClosing(app: FastifyInstance): () => boolean {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  return () => closing;
}

/**
 * Closes a listening app: it stops accepting connections at once, answers requests that arrive on open
 * keep-alive connections with 503, and lets requests in flight finish, for at most `timeoutMs`. After that the
 * connections still open are closed, and their requests get no answer.
 */
export async function closeGracefully(app: FastifyInstance, timeoutMs: number): Promise<GracefulCloseResult> {
  let timer: NodeJS.Timeout | undefined;
  const closed = app.close().then(() => true);
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  // A backstop for the `Connection: close` of responses sent while closing: a response already on its way when the close began kept its
  // connection open, and Node closes idle connections only once, when the close begins.
  const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
  const inTime = await Promise.race([closed, timedOut]);
  clearInterval(sweep);
  clearTimeout(timer);
  if (inTime) return { inTime, connectionsClosed: 0 };

  const connectionsClosed = await new Promise<number>((resolve) =>
    app.server.getConnections((error, count) => resolve(error === null ? count : 0)),
  );
  app.server.closeAllConnections();
  await closed;
  return { inTime, connectionsClosed };
}
