import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../config.ts';
import { RedisSupervisor } from '../infra/redis-supervisor.ts';
import { startPingzhan, type Running } from '../runtime.ts';
import { startTestPostgres, type TestPostgres } from './postgres.ts';

/**
 * Test servers on real parts: a redis-server of the harness's own on a private unix socket
 * (never 6379, never one it did not start), the real app, live feed and BullMQ worker.
 */
export type TestRedis = { url: string; dir: string; stop(): Promise<void> };

export async function startTestRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pz-redis-'));
  const sup = new RedisSupervisor({ dataDir: dir, fsync: 'no' });
  await sup.start();
  return {
    url: sup.url,
    dir,
    async stop() {
      await sup.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TestServer = Running & {
  url: string;
  dataDir: string;
  config: Config;
  /** The server's own test PostgreSQL (null when `databaseUrl` was given). */
  testPostgres: TestPostgres | null;
};

let counter = 0;

/**
 * A test server. Each gets its own PostgreSQL (non-durable, stopped in `close()`) unless
 * `databaseUrl` names one, as a test restarting a server on the same Redis would to keep its
 * history.
 */
export async function startTestServer(
  opts: {
    redisUrl?: string;
    databaseUrl?: string;
    prefix?: string;
    env?: Record<string, string>;
    config?: Partial<Config>;
    /** Make the latest due reports at start, as the product does (off: they are commits of their own). */
    reportCatchUp?: boolean;
  } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pz-data-'));
  const given = opts.databaseUrl ?? opts.config?.databaseUrl;
  const pg = given ? null : await startTestPostgres();
  try {
    const config: Config = {
      ...loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ...opts.env }),
      prefix: opts.prefix ?? `{pzt${process.pid}x${++counter}}`,
      ...opts.config,
      ...(opts.redisUrl ? { redisUrl: opts.redisUrl } : {}),
      databaseUrl: given ?? pg!.url,
    };
    const running = await startPingzhan(config, {
      redisFsync: 'no',
      reportCatchUp: opts.reportCatchUp ?? false,
    });
    return {
      ...running,
      dataDir,
      config,
      testPostgres: pg,
      async close() {
        await running.close();
        await pg?.stop();
        if (!opts.redisUrl) rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await pg?.stop();
    throw err;
  }
}

/** Logs in a demo account and returns its session cookie. */
export async function login(baseUrl: string, username: string, password = 'pingzhan'): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie') ?? '';
  return cookie.split(';')[0];
}

export const INTAKE_KEY = 'demo-intake-key';

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${INTAKE_KEY}` },
  method = 'POST',
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/**
 * Posts as a well-behaved integration does: a `503`/`429` is retried after its `Retry-After`
 * (capped, so a loaded test machine moves on quickly), and the answer must end as a `202`.
 */
export async function postAccepted(
  url: string,
  body: unknown,
  attempts = 40,
): Promise<{ status: number; body: any; headers: Headers }> {
  for (let i = 0; ; i++) {
    const res = await postJson(url, body);
    if ((res.status !== 503 && res.status !== 429) || i + 1 >= attempts) {
      if (res.status !== 202) throw new Error(`expected 202, got ${res.status}: ${JSON.stringify(res.body)}`);
      return res;
    }
    const ra = Number(res.headers.get('retry-after') ?? 1);
    await new Promise((r) => setTimeout(r, Math.min(ra, 0.5) * 1000));
  }
}

/**
 * Polls the log head (cheap GET) until it reaches `seq`, then the projection: the stream is
 * trimmed only once events are in the database, so what follows sees it as the server keeps it.
 */
export async function waitForHead(s: TestServer, seq: number, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((await s.container.store.headSeq()) < seq) {
    if (Date.now() > end)
      throw new Error(`log did not reach ${seq} (at ${await s.container.store.headSeq()})`);
    await new Promise((r) => setTimeout(r, 10));
  }
  await waitForProjection(s, seq, Math.max(0, end - Date.now()));
}

/** Until the server's projector has the database (and the stream's trimming) through `seq`. */
export async function waitForProjection(s: TestServer, seq: number, timeoutMs = 20_000): Promise<void> {
  const p = s.container.projector;
  if (!p) return;
  const end = Date.now() + timeoutMs;
  while (p.projectedSeq() < seq) {
    if (Date.now() > end) throw new Error(`projection did not reach ${seq} (at ${p.projectedSeq()})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Until the pipeline has nothing waiting, running or delayed. */
export async function waitForPipelineIdle(s: TestServer, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const c = await s.container.queue.counts();
    if ((c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) === 0) return;
    if (Date.now() > end) throw new Error(`pipeline not idle: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The redis-server behind a test server, for fault injection (SIGSTOP/SIGKILL), and the
 * supervisor's wrapper shell around it: stopping the wrapper keeps a killed Redis down (it
 * restarts Redis once the wrapper exits) until the wrapper is continued.
 */
export async function redisProcess(s: TestServer): Promise<{ pid: number; wrapperPid: number }> {
  const info = await s.container.redis.info('server');
  const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
  // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the last ')'.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const wrapperPid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  if (!pid || !wrapperPid) throw new Error(`cannot find the redis-server process (${pid}, ${wrapperPid})`);
  return { pid, wrapperPid };
}
