import { Redis, type RedisOptions } from 'ioredis';

/** ioredis options for a URL; `redis+socket:///path` means a unix socket. */
export function redisOptions(url: string, extra: RedisOptions = {}): RedisOptions & { path?: string } {
  if (url.startsWith('redis+socket://') || url.startsWith('unix://')) {
    return { path: url.replace(/^(redis\+socket|unix):\/\//, ''), ...extra };
  }
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    ...extra,
  };
}

export function connect(url: string, name: string, extra: RedisOptions = {}): Redis {
  const r = new Redis({ ...redisOptions(url, extra), connectionName: `pingzhan:${name}` });
  // ioredis reconnects by itself; commands fail meanwhile and /healthz reports it.
  r.on('error', () => undefined);
  return r;
}

/**
 * A Redis that may evict keys would silently lose queued jobs and log entries: refuse it.
 * Managed services may forbid CONFIG; then INFO is asked instead.
 */
export async function assertNoEviction(redis: Redis): Promise<void> {
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
