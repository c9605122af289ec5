/**
 * `npm run bench -- --history-only` (also part of a full run): what the history store costs.
 *
 * 1. Projection lag: the intake posts `rate` incidents a second for `seconds` (HTTP → queue →
 *    commit, as in the other scenarios); a poller reads the projector's cursor from the database
 *    every POLL_MS. An event's lag is the first poll that saw the cursor at or past its seq, minus
 *    its commit time (`at`, written by the commit). The poll interval bounds the error (≤ POLL_MS
 *    too high, never too low).
 * 2. The snapshot with an empty history, and again after a simulated year: `yearCases` cases
 *    spread over the last 365 days, loaded through the product's own pipeline and case services
 *    (the same commit, the same events; only HTTP and the queue are skipped, to load a year in
 *    minutes), most of them closed (dispatched, then closed a day later), those of the last three
 *    days still open. The server projects them and its archive sweep moves the closed ones out of
 *    Redis; the snapshot is timed once both are done, with the Redis memory then in use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../../server/config.ts';
import { createContainer, databaseUrlFor } from '../../server/container.ts';
import { GridIndex } from '../../server/geo/grid-index.ts';
import { openHistory } from '../../server/history/db.ts';
import { mulberry32 } from '../../server/geo/random.ts';
import { connect } from '../../server/infra/redis.ts';
import { ArchivedRecords } from '../../server/services/archive.service.ts';
import { CaseActionsService } from '../../server/cases/case-actions.service.ts';
import { CaseStart } from '../../server/cases/case-start.ts';
import { CaseTimers } from '../../server/cases/case-timers.ts';
import type { User } from '../../shared/identity.ts';
import { PipelineService } from '../../server/services/pipeline.service.ts';
import { INCIDENT_CATEGORIES, type IncidentIntake } from '../../shared/incident.ts';
import { Histogram } from './histogram.ts';

const BENCH_DUTY: User = { id: 'duty', username: 'duty', displayName: 'duty', role: 'duty' };
import { Poster } from './poster.ts';
import { startServerProcess } from './processes.ts';

const POLL_MS = 5;
/** The "same open set" baseline: the year's last days only (open, or closed less than a day ago). */
const RECENT_DAYS = 4;
const DAY_MS = 24 * 3600 * 1000;
/** Cases being loaded at once (each is a few Redis round trips). */
const LANES = 48;

export type SnapshotFigure = {
  incidents: number;
  bytes: number;
  p50Ms: number;
  maxMs: number;
  /** Redis memory in all (the stream keeps EVENT_RETENTION events for consoles to resume from). */
  redisMb: number;
  /** The state hashes alone (MEMORY USAGE): what the working set costs. */
  hotSetMb: number;
};
export type HistoryBenchResult = {
  projectionLag: {
    rate: number;
    seconds: number;
    events: number;
    pollMs: number;
    p50: number;
    p99: number;
    max: number;
  };
  snapshot: {
    empty: SnapshotFigure;
    /** Only the cases of the year's last four days (the same open set, no history behind it). */
    recentOnly: SnapshotFigure & { cases: number };
    year: SnapshotFigure & { cases: number; eventsInDb: number; loadSeconds: number; settleSeconds: number };
  };
};

type Options = {
  rate: number;
  seconds: number;
  yearCases: number;
  intakeKey: string;
  login(url: string): Promise<string>;
  log(msg: string): void;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function historyBench(o: Options): Promise<HistoryBenchResult> {
  // Each part on a fresh server of its own: the lag run's open incidents must not weigh on the
  // year's snapshot.
  const projectionLag = await withServer({}, o, (s) => measureLag(s, o));
  o.log(
    `history: projection lag at ${o.rate}/s: p50 ${projectionLag.p50} ms, p99 ${projectionLag.p99} ms, max ${projectionLag.max} ms (${projectionLag.events} events)`,
  );
  // Archive as soon as a case has been closed for a day (the default), sweeping often so the
  // year settles within the run.
  const env = { ARCHIVE_EVERY_MS: '2000' };
  const recentOnly = await withServer(env, o, async (s) => {
    const cases = await loadYear(s.config, s.redisUrl, o, RECENT_DAYS);
    await settle(s, o);
    const fig = { ...(await snapshotFigure(s)), cases };
    o.log(`history: snapshot, the last ${RECENT_DAYS} days only (${cases} cases): ${fmt(fig)}`);
    return fig;
  });
  const snapshot = await withServer(env, o, async (s) => {
    const empty = await snapshotFigure(s);
    o.log(`history: snapshot, empty history: ${fmt(empty)}`);
    const loadStart = performance.now();
    const cases = await loadYear(s.config, s.redisUrl, o);
    const loadSeconds = Math.round((performance.now() - loadStart) / 100) / 10;
    o.log(`history: loaded ${cases} cases in ${loadSeconds} s; waiting for projection and archiving`);
    const settleStart = performance.now();
    await settle(s, o);
    const settleSeconds = Math.round((performance.now() - settleStart) / 100) / 10;
    const eventsInDb = Number(
      (await sql<{ n: string }>`select count(*) as n from events`.execute(s.history.db)).rows[0].n,
    );
    const year = { ...(await snapshotFigure(s)), cases, eventsInDb, loadSeconds, settleSeconds };
    o.log(
      `history: snapshot after a year (${cases} cases, ${eventsInDb} events in the database): ${fmt(year)}`,
    );
    return { empty, recentOnly, year };
  });
  return { projectionLag, snapshot };
}

type Running = {
  url: string;
  cookie: string;
  config: ReturnType<typeof loadConfig>;
  redisUrl: string;
  history: ReturnType<typeof openHistory>;
  redis: ReturnType<typeof connect>;
};

async function withServer<T>(
  env: Record<string, string>,
  o: Options,
  fn: (s: Running) => Promise<T>,
): Promise<T> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pz-bench-history-'));
  const server = await startServerProcess({ DATA_DIR: dataDir, ...env });
  const config = loadConfig({ DATA_DIR: dataDir });
  const redisUrl = `redis+socket://${path.resolve(dataDir, 'redis.sock')}`;
  const history = openHistory(databaseUrlFor(config), { max: 2 });
  const redis = connect(redisUrl, 'bench-history');
  try {
    o.log(`history: server at ${server.url}`);
    const cookie = await o.login(server.url);
    return await fn({ url: server.url, cookie, config, redisUrl, history, redis });
  } finally {
    redis.disconnect();
    await history.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function snapshotFigure(s: Running): Promise<SnapshotFigure> {
  const h = new Histogram();
  let bytes = 0;
  let incidents = 0;
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    const res = await fetch(`${s.url}/api/v1/snapshot`, { headers: { cookie: s.cookie } });
    const body = await res.text();
    h.record(performance.now() - t);
    bytes = Buffer.byteLength(body);
    incidents = (JSON.parse(body) as { incidents: unknown[] }).incidents.length;
  }
  let hot = 0;
  for (const h of [
    'incidents',
    'incident-aliases',
    'video-alerts',
    'resources',
    'operations',
    'dispatches',
    'reports',
    'archived-ids',
  ]) {
    hot += Number((await s.redis.call('MEMORY', 'USAGE', `${s.config.prefix}:${h}`, 'SAMPLES', '0')) ?? 0);
  }
  const info = await s.redis.info('memory');
  const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
  const sum = h.summary();
  return {
    incidents,
    bytes,
    p50Ms: sum.p50 ?? 0,
    maxMs: sum.max ?? 0,
    redisMb: Math.round(used / 1e5) / 10,
    hotSetMb: Math.round(hot / 1e5) / 10,
  };
}

const fmt = (s: SnapshotFigure) =>
  `${s.incidents} incidents, ${(s.bytes / 1024).toFixed(1)} kB, p50 ${s.p50Ms} ms, max ${s.maxMs} ms; ` +
  `Redis ${s.redisMb} MB (state hashes ${s.hotSetMb} MB)`;

async function projectedSeq(history: ReturnType<typeof openHistory>): Promise<number> {
  const r = await sql<{ seq: string }>`select max(seq) as seq from projection`.execute(history.db);
  return Number(r.rows[0]?.seq ?? 0);
}

async function measureLag(srv: Running, o: Options) {
  const { history, redis } = srv;
  const prefix = srv.config.prefix;
  const seen: { t: number; seq: number }[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const seq = await projectedSeq(history);
      if (seen.length === 0 || seq > seen[seen.length - 1].seq) seen.push({ t: Date.now(), seq });
      await sleep(POLL_MS);
    }
  })();
  const from = await projectedSeq(history);
  const poster = new Poster(srv.url, o.intakeKey, 256);
  const tag = `hl${Date.now().toString(36)}-`;
  const posted = await poster.run(tag, o.rate, o.seconds);
  poster.close();
  // Until every accepted report is committed and projected (or two minutes pass).
  for (let i = 0; i < 1200; i++) {
    const head = Number((await redis.get(`${prefix}:seq`)) ?? 0);
    if (head >= from + posted.accepted && (seen.at(-1)?.seq ?? 0) >= head) break;
    await sleep(100);
  }
  polling = false;
  await poller;
  const rows = (
    await sql<{ seq: string; at: Date }>`select seq, at from events where seq > ${from} order by seq`.execute(
      history.db,
    )
  ).rows;
  const hist = new Histogram();
  let j = 0;
  for (const r of rows) {
    const seq = Number(r.seq);
    while (j < seen.length && seen[j].seq < seq) j++;
    if (j === seen.length) break;
    hist.record(Math.max(0, seen[j].t - r.at.getTime()));
  }
  const s = hist.summary();
  return {
    rate: o.rate,
    seconds: posted.seconds,
    events: rows.length,
    pollMs: POLL_MS,
    p50: s.p50 ?? 0,
    p99: s.p99 ?? 0,
    max: s.max ?? 0,
  };
}

/** A year of cases through the pipeline and case services, oldest first, LANES at a time. */
async function loadYear(
  config: ReturnType<typeof loadConfig>,
  redisUrl: string,
  o: Options,
  /** Only the cases of the year's last this many days. */
  lastDays?: number,
): Promise<number> {
  const c = await createContainer(config, redisUrl, { projector: false });
  try {
    const grid = new GridIndex(c.grids);
    const cameras = new Map(c.cameras.map((x) => [x.id, x]));
    const now = Date.now();
    const start = now - 365 * DAY_MS;
    const step = (365 * DAY_MS) / o.yearCases;
    const districtId = c.grids.features.find((f) => f.properties.level === 'district')!.properties.id;
    const rand = mulberry32(2026);
    const first = lastDays === undefined ? 0 : Math.ceil((365 - lastDays) * (DAY_MS / step));
    let next = first;
    let done = 0;
    let lastLog = performance.now();
    const lane = async () => {
      let clock = new Date(start);
      // A year in the past: deadline timers would all fire at once; the bench measures the history.
      const noTimers = new CaseTimers({ add: async () => {}, remove: async () => {} });
      const cases = new CaseActionsService(
        c.store,
        c.state,
        new ArchivedRecords(c.historyRepo, c.history.db),
        c.caseRules,
        noTimers,
        () => clock,
      );
      const pipeline = new PipelineService(
        c.store,
        c.state,
        grid,
        cameras,
        new CaseStart(c.caseRules, cases),
        () => clock,
      );
      for (let i = next++; i < o.yearCases; i = next++) {
        const t = start + i * step;
        clock = new Date(t);
        const category = INCIDENT_CATEGORIES[i % INCIDENT_CATEGORIES.length];
        const input: IncidentIntake = {
          source: 'bench-year',
          externalId: `y${i}`,
          kind: 'case',
          category,
          title: `${category} 案卷 ${i}：道路两侧堆放杂物`,
          description: `模拟一年的案卷，第 ${i} 件，位于海淀区内。`,
          location: grid.randomPointIn(districtId, rand),
          reportedAt: clock.toISOString(),
        };
        const id = `INC-Y${i.toString(36)}`;
        const r = await pipeline.processIncident({
          id,
          input,
          actor: 'hotline',
          receivedAt: clock.toISOString(),
        });
        // The last three days stay open; everything older is dispatched and closed a day later.
        if (r.outcome === 'created' && t < now - 3 * DAY_MS) {
          clock = new Date(t + 2 * 3600 * 1000);
          await cases.patch(id, { status: 'dispatched' }, BENCH_DUTY);
          clock = new Date(t + DAY_MS);
          await cases.patch(id, { status: 'closed' }, BENCH_DUTY);
        }
        done++;
        if (performance.now() - lastLog > 10_000) {
          lastLog = performance.now();
          o.log(`history: loading the year, ${done}/${o.yearCases}`);
        }
      }
    };
    await Promise.all(Array.from({ length: LANES }, lane));
    return done;
  } finally {
    await c.close();
  }
}

/** Waits until the database holds every event and the archive sweep has nothing left to take. */
async function settle(srv: Running, o: Options): Promise<void> {
  const { history, redis } = srv;
  const prefix = srv.config.prefix;
  let stable = 0;
  let last = -1;
  for (let i = 0; i < 1800 && stable < 5; i++) {
    const head = Number((await redis.get(`${prefix}:seq`)) ?? 0);
    const projected = await projectedSeq(history);
    const hot = await redis.hlen(`${prefix}:incidents`);
    if (projected >= head && hot === last) stable++;
    else stable = 0;
    if (i % 50 === 0) o.log(`history: projected ${projected}/${head}, incidents in Redis ${hot}`);
    last = hot;
    await sleep(1000);
  }
}
