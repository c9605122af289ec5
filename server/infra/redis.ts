import { createIORedisClient, RedisConnection } from 'bullmq';
import { Cluster, Redis, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';
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

/**
 * Redis beyond one server: `redis+sentinel://[user:pass@]host:port,host:port/<master name>[/db]`
 * (ioredis asks the sentinels for the primary and follows a failover) and
 * `redis+cluster://[user:pass@]host:port,host:port` (seed nodes of a Redis Cluster); `rediss+…`
 * speaks TLS. Several hosts do not fit WHATWG URL parsing, hence this small parser.
 */
export type RedisTopology = {
  kind: 'sentinel' | 'cluster';
  tls: boolean;
  hosts: { host: string; port: number }[];
  username?: string;
  password?: string;
  /** Path segments: the sentinel master name, then the db. */
  path: string[];
};

const TOPOLOGY_URL = /^(rediss?)\+(sentinel|cluster):\/\/(?:([^@/?#]*)@)?([^/?#]+)(\/[^?#]*)?(?:\?[^#]*)?$/i;

export function parseTopologyUrl(url: string): RedisTopology | null {
  const m = TOPOLOGY_URL.exec(url);
  if (!m) return null;
  const kind = m[2].toLowerCase() as RedisTopology['kind'];
  const defaultPort = kind === 'sentinel' ? 26379 : 6379;
  const hosts = m[4].split(',').map((h) => {
    const hm = /^\[([^\]]+)\](?::(\d+))?$|^([^:[\]]+)(?::(\d+))?$/.exec(h.trim());
    if (!hm) throw new Error(`REDIS_URL: cannot read the host "${h}" (host:port, or [v6]:port)`);
    return { host: hm[1] ?? hm[3], port: Number(hm[2] ?? hm[4] ?? defaultPort) };
  });
  const [user, pass] = m[3] === undefined ? [] : splitOnce(m[3], ':');
  return {
    kind,
    tls: m[1].toLowerCase() === 'rediss',
    hosts,
    username: user ? decodeURIComponent(user) : undefined,
    password: pass ? decodeURIComponent(pass) : undefined,
    path: (m[5] ?? '').split('/').filter(Boolean).map(decodeURIComponent),
  };
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/**
 * After a failover a client may still be talking to the old primary, now a replica: reconnect
 * (and resend the command) rather than fail every write with READONLY until the socket breaks.
 */
const reconnectOnReadOnly = (err: Error): 2 | false => (err.message.startsWith('READONLY') ? 2 : false);

/** Where `redisOptions()` hands a Cluster's seed nodes to `connect()` and BullMQ's client factory. */
const CLUSTER_NODES = 'pzClusterNodes';

/**
 * ioredis options for a URL; `redis+socket:///path` means a unix socket. `redis+sentinel://`
 * gives sentinel options (a plain `new Redis()` and BullMQ both follow them); `redis+cluster://`
 * gives options that only `connect()` and our BullMQ client factory turn into a `Cluster`.
 */
export function redisOptions(url: string, extra: RedisOptions = {}): RedisOptions & { path?: string } {
  if (url.startsWith('redis+socket://') || url.startsWith('unix://')) {
    return { path: url.replace(/^(redis\+socket|unix):\/\//, ''), retryStrategy: reconnectDelay, ...extra };
  }
  const t = parseTopologyUrl(url);
  if (t?.kind === 'sentinel') {
    const [name, db] = t.path;
    if (!name) throw new Error('REDIS_URL: a redis+sentinel:// URL names its primary: …/<master name>');
    if (db !== undefined && !/^\d+$/.test(db)) throw new Error(`REDIS_URL: the db "${db}" is not a number`);
    return {
      sentinels: t.hosts,
      name,
      username: t.username,
      password: t.password,
      db: db === undefined ? undefined : Number(db),
      // rediss+sentinel: TLS to the sentinels and to the primary they name.
      tls: t.tls ? {} : undefined,
      sentinelTLS: t.tls ? {} : undefined,
      enableTLSForSentinelMode: t.tls || undefined,
      retryStrategy: reconnectDelay,
      sentinelRetryStrategy: reconnectDelay,
      // Sentinels announce a new primary (+switch-master): switch at once, not at the next error.
      failoverDetector: true,
      reconnectOnError: reconnectOnReadOnly,
      ...extra,
    };
  }
  if (t?.kind === 'cluster') {
    if (t.path.length) throw new Error('REDIS_URL: a Redis Cluster has no databases; drop the /path');
    installBullClusterFactory();
    return {
      username: t.username,
      password: t.password,
      tls: t.tls ? {} : undefined,
      ...extra,
      [CLUSTER_NODES]: t.hosts,
    } as RedisOptions;
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

type ClusterCarrier = RedisOptions & { path?: string; [CLUSTER_NODES]?: ClusterNode[] };

/** A Cluster client from `redisOptions()` of a `redis+cluster://` URL. */
function clusterClient(options: ClusterCarrier): Cluster {
  const {
    [CLUSTER_NODES]: nodes = [],
    enableAutoPipelining,
    // What a Cluster sets per node itself (BullMQ adds a host and port of its own).
    host: _host,
    port: _port,
    path: _path,
    retryStrategy: _retryStrategy,
    enableOfflineQueue: _offline,
    readOnly: _readOnly,
    ...node
  } = options;
  const clusterOptions: ClusterOptions = {
    redisOptions: node,
    enableAutoPipelining,
    clusterRetryStrategy: reconnectDelay,
  };
  return new Cluster(nodes, clusterOptions);
}

let bullFactoryInstalled = false;

/**
 * BullMQ makes its own clients from connection options (queue.ts and archive-schedule.ts pass
 * `redisOptions()`), always a plain `Redis`; on a Cluster it needs a `Cluster`. Its documented
 * hook, `RedisConnection.clientFactory`, makes one from our options; other options get the
 * client BullMQ makes itself. Installed once a cluster URL is seen, never over another factory.
 */
function installBullClusterFactory(): void {
  if (bullFactoryInstalled || RedisConnection.clientFactory) return;
  bullFactoryInstalled = true;
  RedisConnection.clientFactory = (opts) => {
    const o = opts as ClusterCarrier & { url?: string };
    if (o[CLUSTER_NODES]) return createIORedisClient(clusterClient(o));
    const { url, ...rest } = o;
    return createIORedisClient(url ? new Redis(url, rest) : new Redis(rest));
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
  const options: ClusterCarrier = { ...redisOptions(url, extra), connectionName: `pingzhan:${name}` };
  // A Cluster answers the same commands (each routed by its key's slot, and every key shares one
  // hash tag), so it is handed on as the `Redis` the repositories are written against.
  const r = options[CLUSTER_NODES] ? (clusterClient(options) as unknown as Redis) : new Redis(options);
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
