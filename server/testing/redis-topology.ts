/**
 * Redis beyond one server, for the Cluster and Sentinel proofs: redis-server processes this test
 * starts itself on 127.0.0.1 at free ports (never 6379, never one it did not start), each in its
 * own directory under one temp dir, each wrapped so that it stops when the test process dies,
 * even by SIGKILL (as the RedisSupervisor does: the wrapper watches its stdin pipe).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { redisServerBin } from '../infra/redis-supervisor.ts';

export function hasRedisCli(): boolean {
  return spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status === 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Polls `fn` until it returns a value other than null (errors count as "not yet"). */
export async function until<T>(what: string, fn: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const v = await fn();
      if (v !== null) return v;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? ` (last: ${last})` : ''}`);
    await sleep(50);
  }
}

/** A short-lived client for set-up and probing: no retries, never the product's settings. */
export async function probe<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

export type RedisNode = {
  port: number;
  dir: string;
  /** The redis-server's own pid (not its wrapper's), for fault injection. */
  pid: number;
  /** Kills the redis-server itself, as a crash would; its wrapper then exits too. */
  kill(): void;
  /** Any signal to the redis-server itself: SIGSTOP freezes it (a hung host, a partition). */
  signal(sig: NodeJS.Signals): void;
  stop(): Promise<void>;
};

const DURABLE = [
  '--appendonly',
  'yes',
  '--appendfsync',
  'always',
  '--save',
  '',
  '--maxmemory-policy',
  'noeviction',
];

/**
 * Starts one redis-server (or sentinel: `sentinelConf`) on a free port; `args(port)` gives its
 * arguments. A port another process took between the probe and the bind makes redis exit at
 * once: then it is tried again on another port.
 */
async function startNode(
  root: string,
  name: string,
  args: (port: number) => Promise<string[]> | string[],
  sentinelConf?: (port: number, dir: string) => string,
): Promise<RedisNode> {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    let all: string[];
    if (sentinelConf) {
      // A sentinel rewrites its config file (the state of the failover): it must be its own.
      const conf = path.join(dir, 'sentinel.conf');
      writeFileSync(conf, sentinelConf(port, dir));
      all = [conf, '--sentinel', ...(await args(port))];
    } else {
      all = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...(await args(port))];
    }
    all.push('--logfile', path.join(dir, 'redis.log'), '--daemonize', 'no');
    const child = spawnWrapped(all);
    const ok = await Promise.race([
      until(`${name} on ${port}`, () => probe(port, (r) => r.ping()), 20_000).then(() => true),
      new Promise<boolean>((resolve) => child.once('exit', () => resolve(false))),
    ]).catch(() => false);
    if (!ok) {
      child.stdin?.end();
      child.kill('SIGKILL');
      if (attempt < 3) continue;
      throw new Error(`${name} did not start; see ${path.join(dir, 'redis.log')}`);
    }
    const pid = await probe(port, async (r) => Number(/process_id:(\d+)/.exec(await r.info('server'))?.[1]));
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    };
    const exited = new Promise<void>((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
    );
    return {
      port,
      dir,
      pid,
      kill: () => signal('SIGKILL'),
      signal,
      async stop() {
        child.stdin?.end();
        await Promise.race([exited, sleep(10_000)]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // stopped
        }
      },
    };
  }
}

function spawnWrapped(args: string[]): ChildProcess {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const bin = `'${redisServerBin().replace(/'/g, `'\\''`)}'`;
  // When our end of stdin closes (we exited, however), `cat` returns and redis gets SIGTERM.
  const script = `exec 3<&0; ${bin} ${quoted} & pid=$!; trap 'kill -TERM $pid 2>/dev/null' TERM INT; (cat <&3 >/dev/null; kill -TERM $pid 2>/dev/null) & wait $pid`;
  const child = spawn('sh', ['-c', script], { stdio: ['pipe', 'ignore', 'ignore'] });
  child.on('error', () => undefined);
  return child;
}

export type TestCluster = {
  /** `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3` */
  url: string;
  nodes: RedisNode[];
  stop(): Promise<void>;
};

/** Three masters (no replicas), `redis-cli --cluster create`, until every node says `cluster_state:ok`. */
export async function startTestCluster(masters = 3): Promise<TestCluster> {
  const root = mkdtempSync(path.join(tmpdir(), 'pz-cluster-'));
  const nodes: RedisNode[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      nodes.push(
        await startNode(root, `node${i}`, async () => [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '5000',
          // The bus port would be port + 10000, which nobody checked is free: a free one of its own.
          '--cluster-port',
          String(await freePort()),
          ...DURABLE,
        ]),
      );
    }
    const create = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (create.status !== 0)
      throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    for (const n of nodes)
      await until(`cluster_state:ok on ${n.port}`, () =>
        probe(n.port, async (r) => {
          const info = (await r.call('CLUSTER', 'INFO')) as string;
          return /cluster_state:ok/.test(info) &&
            /cluster_known_nodes:(\d+)/.exec(info)?.[1] === String(masters)
            ? true
            : null;
        }),
      );
    return { url: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`, nodes, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export type TestSentinels = {
  /** `redis+sentinel://127.0.0.1:s1,127.0.0.1:s2,127.0.0.1:s3/<name>` */
  url: string;
  name: string;
  primary: RedisNode;
  replica: RedisNode;
  sentinels: RedisNode[];
  /** The port the sentinels now give for the primary. */
  primaryPort(): Promise<number>;
  stop(): Promise<void>;
};

/**
 * A primary and a replica (both AOF with fsync on every write, noeviction) and three sentinels
 * (quorum 2) that mark the primary down after 1 s, until every sentinel sees the replica and the
 * two other sentinels.
 */
export async function startTestSentinels(name = 'pzprimary'): Promise<TestSentinels> {
  const root = mkdtempSync(path.join(tmpdir(), 'pz-sentinel-'));
  const all: RedisNode[] = [];
  const stop = async () => {
    await Promise.all(all.map((n) => n.stop()));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const primary = await startNode(root, 'primary', () => DURABLE);
    all.push(primary);
    const replica = await startNode(root, 'replica', () => [
      ...DURABLE,
      '--replicaof',
      '127.0.0.1',
      String(primary.port),
    ]);
    all.push(replica);
    await until('the replica in sync', () =>
      probe(replica.port, async (r) =>
        /master_link_status:up/.test(await r.info('replication')) ? true : null,
      ),
    );
    const sentinels: RedisNode[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await startNode(
        root,
        `sentinel${i}`,
        () => [],
        (port, dir) =>
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${dir}`,
            `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`,
            `sentinel down-after-milliseconds ${name} 1000`,
            `sentinel failover-timeout ${name} 10000`,
            `sentinel parallel-syncs ${name} 1`,
            '',
          ].join('\n'),
      );
      sentinels.push(s);
      all.push(s);
    }
    for (const s of sentinels)
      await until(
        `sentinel ${s.port} to see the replica and the other sentinels`,
        () =>
          probe(s.port, async (r) => {
            const flat = (await r.call('SENTINEL', 'MASTER', name)) as string[];
            const m = new Map<string, string>();
            for (let i = 0; i < flat.length; i += 2) m.set(flat[i], flat[i + 1]);
            return m.get('num-slaves') === '1' && m.get('num-other-sentinels') === '2' ? true : null;
          }),
        // Sentinels find replicas through INFO (every 10 s) and each other through hellos (2 s).
        90_000,
      );
    return {
      url: `redis+sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${name}`,
      name,
      primary,
      replica,
      sentinels,
      async primaryPort() {
        for (const s of sentinels) {
          try {
            const addr = await probe(s.port, (r) => r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name));
            return Number((addr as string[])[1]);
          } catch {
            // try the next sentinel
          }
        }
        throw new Error('no sentinel answered');
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
