import { redactUrl } from './redact.ts';

/**
 * What Redis trouble looks like to a caller, and what the server does with the errors its Redis
 * connections emit: count them and log them, but not ten thousand times a second in an outage.
 */

// ioredis: commandTimeout fired; the offline queue gave up; the connection ended; the offline
// queue is off. BullMQ: its ConnectionClosedError says the same as ioredis's "Connection is closed.".
const UNAVAILABLE_MESSAGES = [
  /^Command timed out$/,
  /^Reached the max retries per request limit/,
  /^Connection is closed\.?$/,
  /enableOfflineQueue options is false/,
];
// Redis answering that it cannot take a write now (or at all until an operator acts).
const UNAVAILABLE_REPLIES =
  /^(LOADING|BUSY|MISCONF|OOM|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|NOREPLICAS)\b|\bOOM command not allowed\b/;
// Socket failures, only when they come from talking to a peer (ENOENT is a missing unix socket).
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOENT',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTCONN',
]);
const SOCKET_SYSCALLS = new Set(['connect', 'read', 'write', 'getaddrinfo']);

type ErrorLike = { name?: unknown; message?: unknown; code?: unknown; syscall?: unknown; cause?: unknown };

/** True when the error means "Redis cannot durably take this now": answer 503, try again later. */
export function isRedisUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const e = err as ErrorLike;
  const message = typeof e.message === 'string' ? e.message : '';
  if (e.name === 'MaxRetriesPerRequestError' || e.name === 'ConnectionClosedError') return true;
  if (UNAVAILABLE_MESSAGES.some((re) => re.test(message))) return true;
  if (e.name === 'ReplyError' && UNAVAILABLE_REPLIES.test(message)) return true;
  if (typeof e.code === 'string' && SOCKET_CODES.has(e.code) && SOCKET_SYSCALLS.has(String(e.syscall)))
    return true;
  return isRedisUnavailable(e.cause, depth + 1);
}

/** Seconds a client should wait before trying again while Redis is unavailable. */
export const REDIS_RETRY_AFTER_S = 2;

/** Anything with pino's `warn(obj, msg)`: Fastify's `app.log`, or the console fallback. */
export type WarnLogger = { warn(obj: object, msg?: string): void };

const consoleLogger: WarnLogger = {
  warn: (obj, msg) => console.warn(`${msg ?? ''} ${JSON.stringify(obj)}`),
};

/** URLs in an error message lose their password before they reach a log. */
export function redactMessage(message: string): string {
  return message.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (m) => redactUrl(m));
}

export type RedisErrorStats = {
  /** Errors emitted by all Redis connections of this process since it started. */
  total: number;
  /** Per connection name (state, queue, worker, tail, revocations…); `request` counts API
   * requests answered 503 because Redis could not take them. */
  byConnection: Record<string, number>;
  last: { connection: string; message: string; at: string } | null;
};

/**
 * Counts every error and logs the first of each kind (connection + message) at once, then at
 * most one line per `everyMs` for that kind, saying how many were left out in between.
 */
export class RedisErrorLog {
  private readonly kinds = new Map<string, { loggedAt: number; suppressed: number }>();
  private stats: RedisErrorStats = { total: 0, byConnection: {}, last: null };

  constructor(
    private logger: WarnLogger = consoleLogger,
    private readonly everyMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The server's logger, once it exists (connections are made before the HTTP app). */
  setLogger(logger: WarnLogger): void {
    this.logger = logger;
  }

  record(connection: string, err: unknown): void {
    const message = redactMessage(err instanceof Error ? err.message : String(err));
    const t = this.now();
    this.stats.total++;
    this.stats.byConnection[connection] = (this.stats.byConnection[connection] ?? 0) + 1;
    this.stats.last = { connection, message, at: new Date(t).toISOString() };

    const key = `${connection}\u0000${message}`;
    const kind = this.kinds.get(key);
    if (kind && t - kind.loggedAt < this.everyMs) {
      kind.suppressed++;
      return;
    }
    // An outage produces a handful of distinct messages; a bound keeps a pathological one finite.
    if (!kind && this.kinds.size >= 1000) this.kinds.clear();
    const suppressed = kind?.suppressed ?? 0;
    this.kinds.set(key, { loggedAt: t, suppressed: 0 });
    this.logger.warn(
      { connection, err: message, ...(suppressed ? { suppressedSinceLast: suppressed } : {}) },
      'redis connection error',
    );
  }

  snapshot(): RedisErrorStats {
    return { ...this.stats, byConnection: { ...this.stats.byConnection } };
  }
}

/** The process's one log of Redis connection errors (every connection reports here). */
export const redisErrors = new RedisErrorLog();

/** For `/api/v1/status`: how many Redis errors this process has seen, and the latest. */
export function redisErrorStats(): RedisErrorStats {
  return redisErrors.snapshot();
}
