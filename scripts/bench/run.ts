/**
 * `npm run bench`: intake → console latency and sustained throughput of Pingzhan on this machine,
 * beside the bare parts it is built from (plain BullMQ, plain Socket.IO broadcast), in one run.
 *
 *   npm run bench                       3 scenarios × 30 s, then the baselines (~6 minutes)
 *   npm run bench -- --quick            the same, 5 s each
 *   npm run bench -- --seconds 10 --scenarios 10x100,500x1000 --no-baselines
 *   npm run bench -- --storm-only       only the reconnect storm (1,000 consoles; --storm N, 0: skip)
 *   npm run bench -- --history-only     only the history store: projection lag at 1,000 events/s and
 *                                       the snapshot before and after a simulated year (history.ts;
 *                                       --year-cases N, default 125,000; --no-history skips it)
 *   npm run bench -- --kpi-only         only GET /api/v1/kpis over a simulated year of cases (kpi.ts;
 *                                       --year-cases N too; --no-kpi skips it)
 *
 * The server runs as a child process exactly as `npm start` runs it (server/main.ts with its own
 * redis-server, appendfsync always, product defaults), so its RSS is its own: read from /proc.
 * Clients are real socket.io-clients in 1–2 child processes. Everything listens on loopback only
 * and every phase has a time limit.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import { Histogram } from './histogram.ts';
import { Poster } from './poster.ts';
import {
  ClientPool,
  CpuMeter,
  RssSampler,
  findDescendant,
  forkTs,
  rssMb,
  startServerProcess,
  stopChild,
  type ServerProcess,
} from './processes.ts';
import { checkDelivery, ratios, table, type ScenarioResult } from './report.ts';
import { historyBench, type HistoryBenchResult } from './history.ts';
import { kpiBench, type KpiBenchResult } from './kpi.ts';
import { reconnectStorm, type StormResult } from './storm.ts';

const INTAKE_KEY = 'demo-intake-key';
/**
 * After posting stops, clients get what the pipeline still holds. We wait while deliveries make
 * progress (a backlog drains slowly but surely), give up after 10 s without progress, and never
 * wait more than two minutes.
 */
const DRAIN_STALL_MS = 10_000;
const WARMUP_SECONDS = 3;
const DRAIN_LIMIT_MS = 120_000;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    scenarios: { type: 'string', default: '10x100,100x500,500x1000' },
    baselines: { type: 'boolean', default: true },
    fsync: { type: 'string', default: 'always' },
    // An ignored folder (.gitignore): a run never rewrites a tracked file. The figures worth
    // keeping go into README.md's "Figures" by hand.
    out: { type: 'string', default: fileURLToPath(new URL('./results/latest.json', import.meta.url)) },
    /** Consoles in the reconnect-storm scenario (storm.ts); 0 skips it. */
    storm: { type: 'string', default: '1000' },
    'storm-only': { type: 'boolean', default: false },
    /** How long the server stays down in the storm scenario. */
    'storm-down': { type: 'string', default: '5' },
    history: { type: 'boolean', default: true },
    'history-only': { type: 'boolean', default: false },
    kpi: { type: 'boolean', default: true },
    'kpi-only': { type: 'boolean', default: false },
    'year-cases': { type: 'string', default: '125000' },
  },
  allowNegative: true,
});
const seconds = Number(values.seconds ?? (values.quick ? 5 : 30));
const scenarios = values.scenarios.split(',').map((s) => {
  const [c, r] = s.toLowerCase().split('x').map(Number);
  if (!(c > 0 && r > 0)) throw new Error(`bad scenario "${s}": use CLIENTSxRATE, e.g. 500x1000`);
  return { clients: c, rate: r };
});
const stormConsoles = Number(values.storm);
const stormDown = Number(values['storm-down']);
if (!(Number.isInteger(stormConsoles) && stormConsoles >= 0))
  throw new Error('--storm takes a number of consoles');
if (!(stormDown >= 0)) throw new Error('--storm-down takes seconds');
const fsync = values.fsync as 'always' | 'everysec' | 'no';
if (!['always', 'everysec', 'no'].includes(fsync)) throw new Error('--fsync must be always, everysec or no');
const runTag = `b${Date.now().toString(36)}-`;
const cleanups: (() => Promise<void>)[] = [];

function log(msg: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

async function login(url: string, username: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: process.env.DEMO_PASSWORD ?? 'pingzhan' }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0];
}

type Wire = {
  frames: number;
  bytes: number;
  deflatedBytes: number;
  deflateSockets: number;
  plainSockets: number;
};

/** The server's broadcast-frame counters (GET /api/v1/status). */
async function wireStats(url: string, cookie: string): Promise<Wire | null> {
  const res = await fetch(`${url}/api/v1/status`, { headers: { cookie } }).catch(() => null);
  if (!res?.ok) return null;
  const body = (await res.json()) as { feed?: { wire?: Wire } };
  return body.feed?.wire ?? null;
}

function wireDelta(a: Wire | null, b: Wire | null): string | null {
  if (!a || !b || b.frames === a.frames) return null;
  const frames = b.frames - a.frames;
  const kb = (b.bytes - a.bytes) / frames / 1024;
  const zkb = (b.deflatedBytes - a.deflatedBytes) / frames / 1024;
  const deflated = b.deflateSockets - a.deflateSockets;
  const plain = b.plainSockets - a.plainSockets;
  return (
    `broadcast: ${frames} frames, ${kb.toFixed(1)} kB each, ${zkb.toFixed(1)} kB deflated ` +
    `(${(kb / zkb).toFixed(1)}×); written deflated ${deflated}, plain ${plain} times`
  );
}

/** Polls the clients until every one has `expected` tagged events, or the limit passes. */
async function drain(pool: ClientPool, expected: number) {
  const until = performance.now() + DRAIN_LIMIT_MS;
  let last = -1;
  let lastProgress = performance.now();
  for (;;) {
    const rep = await pool.report();
    const done = rep.clients.every((c) => c.tagged >= expected || c.disconnected);
    const delivered = rep.clients.reduce((s, c) => s + c.tagged, 0);
    if (delivered > last) [last, lastProgress] = [delivered, performance.now()];
    if (done || performance.now() > until || performance.now() - lastProgress > DRAIN_STALL_MS) return rep;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function pingzhan(): Promise<{ rows: ScenarioResult[]; sample: unknown }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pz-bench-'));
  const server: ServerProcess = await startServerProcess({ DATA_DIR: dataDir }, fsync);
  cleanups.push(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  log(`server up at ${server.url} (pid ${server.pid}, redis-server pid ${server.redisPid ?? '?'})`);
  const cookie = await login(server.url, 'duty');
  const poster = new Poster(server.url, INTAKE_KEY, 256);
  const rows: ScenarioResult[] = [];
  let sample: unknown = null;
  const memory = new RssSampler(() => [
    server.pid,
    ...server.workerPids,
    ...(server.redisPid ? [server.redisPid] : []),
  ]);

  // Warm-up (JIT, connection pools, Redis scripts loaded): not reported.
  {
    const { pool } = await ClientPool.open(server.url, '/live', cookie, 1);
    await pool.tag(`${runTag}w-`);
    await poster.run(`${runTag}w-`, 100, 2);
    await drain(pool, 200);
    await pool.close();
  }

  for (const [i, s] of scenarios.entries()) {
    const tag = `${runTag}s${i}-`;
    log(`pingzhan: ${s.clients} clients × ${s.rate} events/s for ${seconds} s`);
    const { pool, connected, failed, error } = await ClientPool.open(server.url, '/live', cookie, s.clients);
    if (failed) log(`  ${failed} of ${s.clients} clients failed to connect: ${error}`);
    // Warm-up with these clients at this rate (JIT, buffers, pools), as a running centre is warm;
    // not reported. Its backlog, if any, drains before the measured run starts.
    const warmTag = `${tag}w-`;
    await pool.tag(warmTag);
    const warm = await poster.run(warmTag, s.rate, WARMUP_SECONDS);
    await drain(pool, warm.accepted);
    await pool.tag(tag);
    const wireBefore = await wireStats(server.url, cookie);
    const cpu = new CpuMeter({
      server: () => [server.pid],
      ...(server.workerPids.length ? { workers: () => server.workerPids } : {}),
      redis: () => (server.redisPid ? [server.redisPid] : []),
      clients: () => pool.pids(),
      poster: () => [process.pid],
    });
    const before = memory.now();
    memory.start();
    cpu.start();
    const posted = await poster.run(tag, s.rate, seconds);
    const cpuPct = cpu.stop();
    log(`  slowest intake answer per second (ms): ${posted.slowestBySecond.join(' ')}`);
    const rep = await drain(pool, posted.accepted);
    // Work per event over posting and drain together: unlike %, it does not depend on how long
    // a backlog took to clear, so it compares runs on a busy or a quiet machine.
    const cpuMsPerEvent = Object.fromEntries(
      Object.entries(cpu.used()).map(([k, v]) => [
        k,
        Math.round((v / Math.max(1, posted.accepted)) * 1e5) / 100,
      ]),
    );
    const wire = wireDelta(wireBefore, await wireStats(server.url, cookie));
    if (wire) log(`  ${wire}`);
    log(
      `  CPU ms per event: ${Object.entries(cpuMsPerEvent)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    const peak = memory.stop();
    const after = memory.now();
    sample ??= rep.sample;
    rows.push({
      system: 'pingzhan',
      clients: s.clients,
      rate: s.rate,
      seconds: posted.seconds,
      sent: posted.sent,
      accepted: posted.accepted,
      refused: posted.refused,
      latency: rep.latency.summary(),
      intake: posted.intake.summary(),
      pipeline: rep.pipeline.summary(),
      delivery: {
        ...checkDelivery(rep.clients, posted.accepted),
        dropped: s.clients - connected + rep.clients.filter((c) => c.disconnected).length,
      },
      memoryMb: {
        before: r1(before),
        peak: r1(peak),
        after: r1(after),
        what: server.workerPids.length ? 'server + workers + redis' : 'server + its redis',
      },
      cpuPct,
      cpuMsPerEvent,
    });
    log(`  ${summaryLine(rows.at(-1)!)}`);
    await pool.close();
  }
  poster.close();
  await cleanups.pop()!();
  return { rows, sample };
}

async function socketIoBaseline(sample: unknown): Promise<ScenarioResult[]> {
  const child = forkTs('./socketio-baseline.ts');
  cleanups.push(() => stopChild(child, 3000));
  const { url } = await ask<{ url: string }>(child, { cmd: 'start' }, 'started');
  const rows: ScenarioResult[] = [];
  for (const [i, s] of scenarios.entries()) {
    const tag = `${runTag}io${i}-`;
    log(`socket.io baseline: ${s.clients} clients × ${s.rate} events/s for ${seconds} s`);
    const { pool, connected } = await ClientPool.open(url, '/live', undefined, s.clients);
    await pool.tag(tag);
    const memory = new RssSampler(() => [child.pid!]);
    const cpu = new CpuMeter({ server: () => [child.pid!], clients: () => pool.pids() });
    const before = memory.now();
    memory.start();
    cpu.start();
    const began = performance.now();
    // A naive broadcast can block its own event loop for minutes: then it has collapsed, which is
    // a result, not a failure of the benchmark.
    const emitted = await ask<{ sent: number }>(
      child,
      { cmd: 'emit', rate: s.rate, seconds, tag, sample },
      'emitted',
      seconds * 2000 + 30_000,
    ).catch(() => null);
    const took = (performance.now() - began) / 1000;
    const cpuPct = cpu.stop();
    const collapsed = emitted === null;
    if (collapsed) await stopChild(child, 0);
    const sent = emitted?.sent ?? Math.round(s.rate * seconds);
    const rep = await drain(pool, sent);
    const peak = memory.stop();
    rows.push({
      system: 'socket.io baseline',
      clients: s.clients,
      rate: s.rate,
      seconds: took,
      sent,
      accepted: sent,
      latency: rep.latency.summary(),
      delivery: {
        ...checkDelivery(rep.clients, sent),
        dropped: s.clients - connected + rep.clients.filter((c) => c.disconnected).length,
      },
      memoryMb: {
        before: r1(before),
        peak: r1(peak),
        after: r1(memory.now()),
        what: 'bare socket.io server',
      },
      cpuPct,
    });
    log(`  ${summaryLine(rows.at(-1)!)}`);
    await pool.close();
  }
  await cleanups.pop()!();
  return rows;
}

async function bullmqBaseline(): Promise<ScenarioResult[]> {
  const child = forkTs('./bullmq-baseline.ts');
  cleanups.push(() => stopChild(child, 5000));
  // The product's default WORKER_CONCURRENCY.
  await ask(child, { cmd: 'start', concurrency: 8 }, 'started', 60_000);
  const rows: ScenarioResult[] = [];
  for (const rate of [...new Set(scenarios.map((s) => s.rate))]) {
    log(`bullmq baseline: ${rate} jobs/s for ${seconds} s`);
    const redisPid = findDescendant(child.pid!, 'redis-server');
    const cpu = new CpuMeter({
      'queue+worker': () => [child.pid!],
      redis: () => (redisPid ? [redisPid] : []),
    });
    cpu.start();
    const r = await ask<{
      added: number;
      completed: number;
      seconds: number;
      latency: Histogram['toJSON'] extends () => infer J ? J : never;
    }>(child, { cmd: 'run', rate, seconds }, 'ran', seconds * 2000 + 60_000);
    rows.push({
      system: 'bullmq baseline',
      clients: 0,
      rate,
      seconds: r.seconds,
      sent: r.added,
      accepted: r.completed,
      latency: Histogram.from(r.latency).summary(),
      cpuPct: cpu.stop(),
    });
    log(`  ${summaryLine(rows.at(-1)!)}`);
  }
  await ask(child, { cmd: 'stop' }, 'stopped', 20_000).catch(() => undefined);
  await cleanups.pop()!();
  return rows;
}

function ask<T>(child: ChildProcess, msg: object, expect: string, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`child did not answer ${expect} in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const on = (m: { cmd: string } & T) => {
      if (m.cmd !== expect) return;
      clearTimeout(t);
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
    child.send(msg);
  });
}

function summaryLine(r: ScenarioResult): string {
  const d = r.delivery;
  return (
    `took ${r.accepted}/${r.sent}, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms` +
    (d
      ? `, clients complete ${d.clientsComplete}/${r.clients}, dup ${d.duplicates}, gaps ${d.gaps}, dropped ${d.dropped}`
      : '') +
    (r.memoryMb ? `, RSS ${r.memoryMb.before}→${r.memoryMb.peak} MB peak` : '')
  );
}

const r1 = (x: number) => Math.round(x * 10) / 10;

function stormLine(r: StormResult): string {
  const t = r.ms;
  const c = r.reconnectMs;
  return (
    `${r.caughtUp}/${r.consoles} consoles caught up after the server's return` +
    (t ? ` — p50 ${t.p50} ms, p90 ${t.p90} ms, p99 ${t.p99} ms, all by ${t.max} ms` : '') +
    (c ? `; reconnected p50 ${c.p50} ms, all by ${c.max} ms` : '') +
    `; events posted on return committed by ${r.committedMs} ms; ${r.attempts} reconnection attempts; ` +
    `server start ${r.serverStartMs} ms (not counted)`
  );
}

async function main(): Promise<void> {
  const started = new Date();
  const loadBefore = loadavg()[0];
  log(
    `${cpus().length} CPUs, ${Math.round(totalmem() / 2 ** 30)} GB; ${seconds} s per scenario; load ${loadBefore.toFixed(2)}`,
  );
  if (loadBefore > cpus().length / 2) {
    log(
      `warning: the machine is already busy (1-minute load ${loadBefore.toFixed(1)}): figures will be pessimistic`,
    );
  }
  const historyOnly = values['history-only'];
  const kpiOnly = values['kpi-only'];
  const stormOnly = values['storm-only'] || historyOnly || kpiOnly;
  const ours = stormOnly ? { rows: [], sample: null } : await pingzhan();
  let history: HistoryBenchResult | null = null;
  if ((values.history && !values['storm-only'] && !kpiOnly) || historyOnly) {
    const yearCases = Number(values['year-cases']);
    if (!(Number.isInteger(yearCases) && yearCases > 0)) throw new Error('--year-cases takes a number');
    log(`history: projection lag at 1000 events/s, then the snapshot before and after ${yearCases} cases`);
    history = await historyBench({
      rate: 1000,
      seconds,
      yearCases,
      intakeKey: INTAKE_KEY,
      login: (url) => login(url, 'duty'),
      log,
    });
  }
  let kpi: KpiBenchResult | null = null;
  if ((values.kpi && !values['storm-only'] && !historyOnly) || kpiOnly) {
    const cases = Number(values['year-cases']);
    if (!(Number.isInteger(cases) && cases > 0)) throw new Error('--year-cases takes a number');
    log(`kpi: GET /api/v1/kpis over ${cases} cases in a year`);
    kpi = await kpiBench({ cases, login: (url) => login(url, 'duty'), log });
  }
  let storm: StormResult | null = null;
  if (stormConsoles > 0 && !historyOnly && !kpiOnly) {
    log(`reconnect storm: ${stormConsoles} consoles, server down ${stormDown} s`);
    storm = await reconnectStorm({
      consoles: stormConsoles,
      downSeconds: stormDown,
      fsync,
      login: (url) => login(url, 'duty'),
      intakeKey: INTAKE_KEY,
      log,
    });
    log(`  ${stormLine(storm)}`);
  }
  const base: ScenarioResult[] = [];
  if (values.baselines && !stormOnly) {
    base.push(...(await socketIoBaseline(ours.sample)));
    base.push(...(await bullmqBaseline()));
  }
  const rows = [...ours.rows, ...base];
  const ratioRows = ratios(rows);
  if (rows.length) console.log('\n' + table(rows) + '\n');
  if (storm) console.log(`reconnect storm: ${stormLine(storm)}\n`);
  if (ratioRows.length) {
    console.log('ours ÷ baseline (latency: lower is better; throughput: events/s taken)');
    for (const r of ratioRows) {
      console.log(
        `  ${r.scenario.padEnd(12)} vs ${r.vs.padEnd(20)} p50 ×${r.p50 ?? '–'}  p99 ×${r.p99 ?? '–'}  throughput ×${r.throughput ?? '–'}`,
      );
    }
  }
  const out = {
    startedAt: started.toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    secondsPerScenario: seconds,
    redisFsync: fsync,
    workerConcurrency: process.env.WORKER_CONCURRENCY ?? 'default',
    loadAverage: { before: Math.round(loadBefore * 100) / 100, after: Math.round(loadavg()[0] * 100) / 100 },
    method:
      'server = `node --import tsx server/main.ts` child with its own redis-server (appendfsync always, product defaults); ' +
      'latency = client receipt of incident.created − post time carried in externalId; clients = socket.io-client in child processes',
    results: rows,
    ratios: ratioRows,
    reconnectStorm: storm,
    history,
    kpi,
    benchRssMb: rssMb(process.pid),
  };
  mkdirSync(path.dirname(values.out), { recursive: true });
  writeFileSync(values.out, JSON.stringify(out, null, 2) + '\n');
  log(`results written to ${path.relative(process.cwd(), values.out)}`);
}

async function cleanup(): Promise<void> {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
}
process.on('SIGINT', () => void cleanup().finally(() => process.exit(130)));
// The whole run is bounded: nothing may keep it alive past this.
const hardLimit = setTimeout(
  () => {
    console.error('bench: overall time limit reached');
    void cleanup().finally(() => process.exit(1));
  },
  (scenarios.length * (seconds * 6 + (3 * DRAIN_LIMIT_MS) / 1000 + 60) +
    180 +
    (stormConsoles ? 360 : 0) +
    (values.history || values['history-only'] ? 3600 : 0) +
    (values.kpi || values['kpi-only'] ? 1800 : 0)) *
    1000,
);
hardLimit.unref();
main().then(
  async () => {
    await cleanup();
    process.exit(0);
  },
  async (err) => {
    console.error('bench failed:', err);
    await cleanup();
    process.exit(1);
  },
);
