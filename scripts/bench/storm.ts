/**
 * The reconnect storm: N consoles are live, the server stops (as a restart or a crash does), stays
 * down a few seconds, and comes back on the same port and data directory. Measured: from the
 * moment the new server listens until every console is connected again and has every event up to
 * the log's head (events posted right after the return included), i.e. caught up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Poster } from './poster.ts';
import { forkTs, startServerProcess, stopChild, type ServerProcess } from './processes.ts';
import type { StormCommand, StormReply } from './storm-worker.ts';

export type StormResult = {
  consoles: number;
  downSeconds: number;
  /** Consoles caught up within the limit. */
  caughtUp: number;
  /** Milliseconds from the server's return until consoles were caught up. */
  ms: Spread | null;
  /** Milliseconds from the server's return until consoles were connected again (the backoff's share). */
  reconnectMs: Spread | null;
  /** Milliseconds from the return until the events posted after it were in the log (the pipeline's share). */
  committedMs: number;
  /** Reconnection attempts the consoles made over the whole outage and return. */
  attempts: number;
  /** The server's own start, from spawn to listening (not part of the figure). */
  serverStartMs: number;
};

type Spread = { p50: number; p90: number; p99: number; max: number };

function spread(times: number[]): Spread | null {
  const ms = [...times].sort((a, b) => a - b);
  if (!ms.length) return null;
  const q = (p: number) => Math.round(ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]);
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: Math.round(ms[ms.length - 1]) };
}

const LIMIT_MS = 60_000;
const epochMs = () => performance.timeOrigin + performance.now();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function ask<R extends StormReply['cmd']>(
  w: ChildProcess,
  msg: StormCommand,
  expect: R,
  timeoutMs = 120_000,
): Promise<Extract<StormReply, { cmd: R }>> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      w.off('message', on);
      reject(new Error(`storm client did not answer "${msg.cmd}" in ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (m: StormReply) => {
      if (m.cmd !== expect) return;
      clearTimeout(t);
      w.off('message', on);
      resolve(m as Extract<StormReply, { cmd: R }>);
    };
    w.on('message', on);
    w.send(msg);
  });
}

async function headSeq(url: string, cookie: string): Promise<{ head: number; busy: number } | null> {
  const res = await fetch(`${url}/api/v1/status`, { headers: { cookie } }).catch(() => null);
  if (!res?.ok) return null;
  const b = (await res.json()) as { headSeq: number; pipeline: Record<string, number> };
  const p = b.pipeline;
  return {
    head: b.headSeq,
    busy: (p.waiting ?? 0) + (p.active ?? 0) + (p.prioritized ?? 0) + (p.delayed ?? 0),
  };
}

/** The log's head once the pipeline has nothing left in flight. */
async function settledHead(url: string, cookie: string): Promise<number> {
  const until = Date.now() + LIMIT_MS;
  for (;;) {
    const h = await headSeq(url, cookie);
    if (h && h.busy === 0) return h.head;
    if (Date.now() > until) throw new Error('pipeline did not settle');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function until(what: string, cond: () => Promise<boolean>, limitMs = LIMIT_MS): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`storm: ${what} did not happen within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function reconnectStorm(opts: {
  consoles: number;
  downSeconds: number;
  fsync: 'always' | 'everysec' | 'no';
  login: (url: string) => Promise<string>;
  intakeKey: string;
  log: (msg: string) => void;
}): Promise<StormResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pz-storm-'));
  const env = { DATA_DIR: dataDir, PORT: String(await freePort()) };
  let server: ServerProcess | null = await startServerProcess(env, opts.fsync);
  const procs = Math.max(1, Math.min(2, Math.ceil(opts.consoles / 250)));
  const workers = Array.from({ length: procs }, () => forkTs('./storm-worker.ts'));
  try {
    const url = server.url;
    const cookie = await opts.login(url);
    await Promise.all(
      workers.map((w, i) => {
        const count = Math.floor(opts.consoles / procs) + (i < opts.consoles % procs ? 1 : 0);
        return ask(w, { cmd: 'connect', url, cookie, count }, 'connected');
      }),
    );
    const status = async () => {
      const r = await Promise.all(workers.map((w) => ask(w, { cmd: 'status' }, 'status')));
      return { live: r.reduce((s, x) => s + x.live, 0), seqs: r.flatMap((x) => x.seqs) };
    };
    // Some history, every console current with it.
    const poster = new Poster(url, opts.intakeKey, 64);
    await poster.run(`storm${Date.now().toString(36)}a-`, 100, 1);
    poster.close();
    const before = await settledHead(url, cookie);
    await until('every console current before the restart', async () => {
      const s = await status();
      return s.live === opts.consoles && s.seqs.every((x) => x >= before);
    });
    opts.log(`  ${opts.consoles} consoles live at seq ${before}; stopping the server`);

    await server.stop();
    server = null;
    await until('every console noticing the server is gone', async () => (await status()).live === 0);
    await new Promise((r) => setTimeout(r, opts.downSeconds * 1000));

    const spawned = epochMs();
    server = await startServerProcess(env, opts.fsync);
    const back = epochMs();
    opts.log(
      `  server back after ${opts.downSeconds} s down (its start took ${Math.round(back - spawned)} ms)`,
    );
    // Events right after the return: consoles must get these too to count as caught up.
    const after = new Poster(server.url, opts.intakeKey, 64);
    await after.run(`storm${Date.now().toString(36)}b-`, 100, 0.5);
    after.close();
    const target = await settledHead(server.url, cookie);
    const committed = epochMs();

    let at: (number | null)[] = [];
    let connectedAt: (number | null)[] = [];
    let attempts = 0;
    const end = Date.now() + LIMIT_MS;
    for (;;) {
      const r = await Promise.all(workers.map((w) => ask(w, { cmd: 'caughtUp', target }, 'caughtUp')));
      at = r.flatMap((x) => x.at);
      connectedAt = r.flatMap((x) => x.connectedAt);
      attempts = r.reduce((s, x) => s + x.attempts, 0);
      if (at.every((t) => t !== null) || Date.now() > end) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const since = (ts: (number | null)[]) =>
      ts.filter((t): t is number => t !== null).map((t) => Math.max(0, t - back));
    return {
      consoles: opts.consoles,
      downSeconds: opts.downSeconds,
      caughtUp: since(at).length,
      ms: spread(since(at)),
      reconnectMs: spread(since(connectedAt)),
      committedMs: Math.round(committed - back),
      attempts,
      serverStartMs: Math.round(back - spawned),
    };
  } finally {
    for (const w of workers) {
      if (w.connected) w.send({ cmd: 'close' } satisfies StormCommand);
      await stopChild(w, 10_000);
    }
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
