import { type DestinationStream, pino, type Logger } from 'pino';

/** A run of 20 or more token characters in a path: a secret sent where no route expects one. */
const SECRET_LIKE = /[A-Za-z0-9_-]{20,}/g;

/**
 * The server's pino logger. Serializers name every field a request or response line may carry (method, path
 * without the query string, where a careless client might put a token, IP, user agent, status): headers and
 * bodies are never serialised, so there is nothing to redact. pino's `redact` is not used on purpose: it cost a
 * fifth of the authenticated-request rate in the bench (each request gets a child logger), for no gain over an
 * allow-list. Errors are allow-listed too (see `serializeError`), and a path has anything that looks like a
 * secret masked (no route of ours has one, so only a confused client puts it there).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    serializers: {
      req: (request: { method?: string; url?: string; ip?: string; headers?: Record<string, unknown> }) => ({
        method: request.method,
        path: request.url?.split('?')[0]?.replace(SECRET_LIKE, '[redacted]'),
        ip: request.ip,
        userAgent: request.headers?.['user-agent'],
      }),
      res: (reply: { statusCode?: number }) => ({ statusCode: reply.statusCode }),
      err: serializeError,
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/**
 * An error as a log line holds it: its type, message, code, stack and causes, and nothing else. pino's standard
 * serializer copies every enumerable property, and drivers put what they were given there: PostgreSQL's
 * `detail` quotes the conflicting value (a hash, say), and Node's HTTP parser errors carry the raw request bytes
 * (`rawPacket`, with its Authorization header).
 */
export function serializeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return typeof error === 'string' ? error : { type: typeof error };
  const { code } = error as { code?: unknown };
  return {
    type: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    stack: error.stack,
    ...(error.cause === undefined || depth >= 3 ? {} : { cause: serializeError(error.cause, depth + 1) }),
  };
}
