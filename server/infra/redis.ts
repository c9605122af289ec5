import { Redis, type RedisOptions } from 'ioredis';
import { countError } from './metrics.ts';
import { redactMessage, redisErrors, type RedisErrorLog } from './redis-errors.ts';

/**
 * Reconnect soon after Redis is back: 100 ms doubling to at most 1 s. (ioredis' default grows to
 * 5 s and BullMQ's to 20 s, so after a long outage intake and the pipeline would stay down for
 * that long after Redis had returned.) A local or unix-socket Redis is cheap to knock on.
 */
export function reconnectDelay(attempt: number): number {
  return Math.min(100 * 2 ** Math.max(0, attempt - 1), 1000);
}

/** ioredis options for a URL; `redis+socket:///path` means a unix socket. */
export function redisOptions(url: string, extra: RedisOptions = {}): RedisOptions & { path?: string } {
  if (url.startsWith('redis+socket://') || url.startsWith('unix://')) {
    return { path: url.replace(/^(redis\+socket|unix):\/\//, ''), retryStrategy: reconnectDelay, ...extra };
  }
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    retryStrategy: reconnectDelay,
    ...extra,
  };
}

/**
 * A named connection. ioredis reconnects by itself and commands fail meanwhile (the API answers
 * 503, /healthz fails); its errors are counted and logged, rate-limited, never dropped.
 */
export function connect(
  url: string,
  name: string,
  extra: RedisOptions = {},
  errors: RedisErrorLog = redisErrors,
): Redis {
  const r = new Redis({ ...redisOptions(url, extra), connectionName: `pingzhan:${name}` });
  r.on('error', (err: Error) => {
    countError('redis');
    errors.record(name, err);
  });
  return r;
}

/**
 * Waits for a connection's first `ready`. Requests may wait only REDIS_TIMEOUT_MS for a command,
 * and that clock runs from when it is issued: the first commands at start must not lose a race
 * with a slow (remote, TLS) connect.
 */
export async function whenReady(redis: Redis, withinMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  let lastError = '';
  let onReady = () => {};
  const onError = (err: Error) => (lastError = err.message);
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      onReady = resolve;
      redis.on('ready', onReady);
      redis.on('error', onError);
      timer = setTimeout(() => {
        const why = lastError ? ` (${redactMessage(lastError)})` : '';
        reject(new Error(`Redis did not answer within ${withinMs / 1000} s${why}`));
      }, withinMs);
    });
  } finally {
    clearTimeout(timer);
    redis.off('ready', onReady);
    redis.off('error', onError);
  }
}

/**
 * A Redis that may evict keys would silently lose queued jobs and log entries: refuse it.
 * Managed services may forbid CONFIG; then INFO is asked instead.
 */
export async function assertNoEviction(redis: Redis, readyWithinMs = 30_000): Promise<void> {
  await whenReady(redis, readyWithinMs);
  let policy: string | undefined;
  try {
    const res = (await redis.config('GET', 'maxmemory-policy')) as string[];
    policy = res[1];
  } catch {
    const info = await redis.info('memory');
    policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
  }
  if (policy !== 'noeviction') {
    throw new Error(
      `Redis maxmemory-policy is "${policy ?? 'unknown'}"; Pingzhan needs "noeviction" so that no accepted ` +
        'incident or event can be evicted. Set it with: CONFIG SET maxmemory-policy noeviction',
    );
  }
}
