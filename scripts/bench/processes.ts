import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stopChild } from '../../server/infra/child-process.ts';
import { Histogram } from './histogram.ts';
import type { ClientSummary } from './feed-check.ts';
import type { WorkerCommand, WorkerReply } from './client-worker.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Run TypeScript children in plain node with tsx as a loader: the pid is the process itself. */
const TS_NODE = ['--import', 'tsx'];

/** Resident memory of a process in MB, from /proc (Linux); null once it is gone. */
export function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), in clock ticks of 1/100 s on Linux.
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU used by groups of processes between start() and stop(), as % of one core. */
export class CpuMeter {
  private at = 0;
  private base = new Map<string, number>();
  constructor(private readonly groups: Record<string, () => number[]>) {}
  private read(): Map<string, number> {
    const m = new Map<string, number>();
    for (const [name, pids] of Object.entries(this.groups)) {
      m.set(
        name,
        pids().reduce(
          (s, p) =>
            s +
            (p === process.pid
              ? process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6
              : cpuSeconds(p)),
          0,
        ),
      );
    }
    return m;
  }
  start(): void {
    this.at = performance.now();
    this.base = this.read();
  }
  /** CPU seconds per group since start(), however long ago (e.g. including a drain). */
  used(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, v] of this.read()) out[name] = v - (this.base.get(name) ?? 0);
    return out;
  }
  stop(): Record<string, number> {
    const wall = (performance.now() - this.at) / 1000;
    const out: Record<string, number> = {};
    for (const [name, v] of this.read())
      out[name] = Math.round(((v - (this.base.get(name) ?? 0)) / wall) * 100);
    return out;
  }
}

/** Descendants of a process whose command starts with `name`, nearest first. */
export function findDescendants(root: number, name: string): number[] {
  const parent = new Map<number, number>();
  const comm = new Map<number, string>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      comm.set(+d, stat.slice(stat.indexOf('(') + 1, close));
      parent.set(+d, Number(stat.slice(close + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  for (const [pid, c] of comm) {
    if (!c.startsWith(name)) continue;
    for (let p = parent.get(pid); p && p > 1; p = parent.get(p)) if (p === root) found.push(pid);
  }
  return found.sort((a, b) => a - b);
}

/** The server's own redis-server. */
export function findDescendant(root: number, name: string): number | null {
  return findDescendants(root, name)[0] ?? null;
}

/** Samples RSS of a few processes; peak is kept, the series is not (bounded memory). */
export class RssSampler {
  private timer: NodeJS.Timeout | null = null;
  peak = 0;
  constructor(private readonly pids: () => number[]) {}
  now(): number {
    return this.pids().reduce((s, p) => s + (rssMb(p) ?? 0), 0);
  }
  start(everyMs = 250): void {
    this.peak = this.now();
    this.timer = setInterval(() => (this.peak = Math.max(this.peak, this.now())), everyMs);
  }
  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return (this.peak = Math.max(this.peak, this.now()));
  }
}

export type ServerProcess = {
  url: string;
  pid: number;
  redisPid: number | null;
  /** The pipeline worker processes the server runs (WORKERS). */
  workerPids: number[];
  stop(): Promise<void>;
};

/**
 * The product as a user runs it (`tsx server/main.ts`, its own Redis with appendfsync always), in
 * a child process, so its memory and CPU are its own and not the benchmark's.
 */
export async function startServerProcess(
  env: Record<string, string>,
  fsync: 'always' | 'everysec' | 'no' = 'always',
  timeoutMs = 60_000,
): Promise<ServerProcess> {
  const main = fsync === 'always' ? 'server/main.ts' : 'scripts/bench/server-main.ts';
  // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server (and
  // its worker processes, which take its node options).
  const extra = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extra, ...TS_NODE, main], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
      BENCH_FSYNC: fsync,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`server did not start in ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/[^\s/]+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => (clearTimeout(t), reject(new Error(`server exited (${code}):\n${out}`))));
  });
  // Keep draining its output so a chatty server never blocks on a full pipe.
  child.stdout!.resume();
  child.stderr!.on('data', (d: Buffer) => process.env.BENCH_VERBOSE && process.stderr.write(d));
  return {
    url,
    pid: child.pid!,
    redisPid: findDescendant(child.pid!, 'redis-server'),
    // The pipeline worker processes the server runs itself (WORKERS, default 1).
    workerPids: findDescendants(child.pid!, 'node'),
    stop: () => stopChild(child, 20_000),
  };
}

export { stopChild };

export function forkTs(file: string, args: string[] = [], extraNodeArgs: string[] = []): ChildProcess {
  return fork(fileURLToPath(new URL(file, import.meta.url)), args, {
    execArgv: [...extraNodeArgs, ...TS_NODE],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Clients spread over a few child processes, addressed as one. */
export class ClientPool {
  private readonly workers: ChildProcess[];
  private constructor(workers: ChildProcess[]) {
    this.workers = workers;
  }

  /** One process per 250 clients, at least one, at most `maxProcs`. */
  static async open(
    url: string,
    path: string,
    cookie: string | undefined,
    count: number,
    maxProcs = 2,
  ): Promise<{ pool: ClientPool; connected: number; failed: number; error?: string }> {
    const procs = Math.max(1, Math.min(maxProcs, Math.ceil(count / 250)));
    const pool = new ClientPool(
      Array.from({ length: procs }, () =>
        // BENCH_CLIENT_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the clients.
        forkTs('./client-worker.ts', [], process.env.BENCH_CLIENT_NODE_ARGS?.split(' ').filter(Boolean)),
      ),
    );
    const replies = await Promise.all(
      pool.workers.map((w, i) => {
        const n = Math.floor(count / procs) + (i < count % procs ? 1 : 0);
        return ask(w, { cmd: 'connect', url, path, cookie, count: n }, 'connected', 120_000);
      }),
    );
    const ok = replies.filter((r) => r.cmd === 'connected');
    return {
      pool,
      connected: ok.reduce((s, r) => s + (r.cmd === 'connected' ? r.connected : 0), 0),
      failed: ok.reduce((s, r) => s + (r.cmd === 'connected' ? r.failed : 0), 0),
      error: ok.map((r) => (r.cmd === 'connected' ? r.error : undefined)).find(Boolean),
    };
  }

  async tag(tag: string): Promise<void> {
    await Promise.all(this.workers.map((w) => ask(w, { cmd: 'tag', tag }, 'tagged', 10_000)));
  }

  async report(): Promise<{
    clients: ClientSummary[];
    latency: Histogram;
    pipeline: Histogram;
    sample: unknown;
  }> {
    const replies = await Promise.all(this.workers.map((w) => ask(w, { cmd: 'report' }, 'report', 30_000)));
    const latency = new Histogram();
    const pipeline = new Histogram();
    const clients: ClientSummary[] = [];
    let sample: unknown = null;
    for (const r of replies) {
      if (r.cmd !== 'report') continue;
      latency.merge(r.latency);
      pipeline.merge(r.pipeline);
      clients.push(...r.clients);
      sample ??= r.sample;
    }
    return { clients, latency, pipeline, sample };
  }

  pids(): number[] {
    return this.workers.map((w) => w.pid!).filter(Boolean);
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map((w) => {
        if (w.connected) w.send({ cmd: 'close' } satisfies WorkerCommand);
        return stopChild(w, 30_000);
      }),
    );
  }
}

function ask(
  w: ChildProcess,
  msg: WorkerCommand,
  expect: WorkerReply['cmd'],
  timeoutMs: number,
): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      w.off('message', on);
      reject(new Error(`client process did not answer "${msg.cmd}" in ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (m: WorkerReply) => {
      if (m.cmd !== expect) return;
      clearTimeout(t);
      w.off('message', on);
      resolve(m);
    };
    w.on('message', on);
    w.send(msg);
  });
}
