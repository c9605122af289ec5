/**
 * `npm run bench -- --kpi-only` (also part of a full run): how fast `GET /api/v1/kpis` answers over
 * a simulated year.
 *
 * `cases` random case histories (server/cases/random-cases.ts: on-time and late steps, reworks,
 * extensions, deferrals, voids, cases still running) accepted evenly over the last 365 days,
 * across the district's streets and departments, are committed through the write path
 * (EventStore.commit, the script every service commits through): one commit per case with its
 * last version as the event, so the database's read models hold a year of cases while Redis'
 * working set is left as it was (the KPIs read the database only). Loading pauses whenever the
 * projector is more than `MAX_LAG` events behind, so the stream stays bounded. Once everything is
 * projected, each window (the last 30 days, the whole year) and each groupBy is asked `ROUNDS`
 * times over HTTP as the duty officer (after `WARMUP` unmeasured asks): p50/p99 per combination.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { randomCase } from '../../server/cases/random-cases.ts';
import { loadConfig } from '../../server/config.ts';
import { databaseUrlFor } from '../../server/container.ts';
import { departments } from '../../server/data/departments.ts';
import { loadDemoData } from '../../server/data/demo-data.ts';
import { openHistory } from '../../server/history/db.ts';
import { keys } from '../../server/infra/keys.ts';
import { connect } from '../../server/infra/redis.ts';
import { EventStore } from '../../server/repositories/event-store.ts';
import type { KpiGroupBy } from '../../shared/kpi.ts';
import { mulberry32 } from '../../shared/random.ts';
import { Histogram } from './histogram.ts';
import { startServerProcess } from './processes.ts';

const DAY_MS = 24 * 3600 * 1000;
const LANES = 32;
const MAX_LAG = 20_000;
const WARMUP = 3;
const ROUNDS = 30;
const GROUPINGS: KpiGroupBy[] = ['street', 'department', 'category', 'day'];

export type KpiTiming = {
  window: 'month' | 'year';
  groupBy: KpiGroupBy;
  rows: number;
  p50: number;
  p99: number;
  max: number;
};
export type KpiBenchResult = {
  cases: number;
  loadSeconds: number;
  /** From the end of loading until the projector had it all. */
  settleSeconds: number;
  caseFactsMb: number;
  timings: KpiTiming[];
};

type Options = { cases: number; login(url: string): Promise<string>; log(msg: string): void };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function kpiBench(o: Options): Promise<KpiBenchResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pz-bench-kpi-'));
  const server = await startServerProcess({ DATA_DIR: dataDir });
  const config = loadConfig({ DATA_DIR: dataDir });
  const redisUrl = `redis+socket://${path.resolve(dataDir, 'redis.sock')}`;
  const history = openHistory(databaseUrlFor(config), { max: 2 });
  const redis = connect(redisUrl, 'bench-kpi');
  const k = keys(config.prefix);
  const store = new EventStore(redis, k);
  const projected = async () =>
    Number(
      (await sql<{ seq: string }>`select max(seq) as seq from projection`.execute(history.db)).rows[0]?.seq ??
        0,
    );
  try {
    o.log(`kpi: server at ${server.url}`);
    const { grids } = await loadDemoData();
    const streets = [
      ...grids.features.filter((f) => f.properties.level === 'street').map((f) => f.properties.id),
      null,
    ];
    const depts = departments(grids).map((d) => d.id);
    const now = Date.now();
    const start = now - 365 * DAY_MS;
    const step = (365 * DAY_MS) / o.cases;
    const loadStart = performance.now();
    let next = 0;
    let lastLog = performance.now();
    const lane = async (n: number) => {
      const rand = mulberry32(2026 + n);
      for (let i = next++; i < o.cases; i = next++) {
        const h = randomCase(rand, {
          id: `INC-K${i.toString(36)}`,
          createdAt: Math.floor(start + i * step),
          now,
          margin: 3600_000,
          streets,
          departments: depts,
        });
        const res = await store.commit({
          events: [{ type: 'incident.created', actor: 'bench', data: h.final }],
        });
        if (res.status !== 'ok') throw new Error(`commit: ${JSON.stringify(res)}`);
        if (i % 1000 === 0) {
          while (i - (await projected()) > MAX_LAG) await sleep(200);
          if (performance.now() - lastLog > 10_000) {
            lastLog = performance.now();
            o.log(`kpi: loading the year, ${i}/${o.cases}`);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: LANES }, (_, n) => lane(n)));
    const loadSeconds = Math.round((performance.now() - loadStart) / 100) / 10;
    const settleStart = performance.now();
    const head = await store.headSeq();
    while ((await projected()) < head) await sleep(200);
    const settleSeconds = Math.round((performance.now() - settleStart) / 100) / 10;
    const facts = await sql<{ n: string; bytes: string }>`
      select count(*) as n, pg_total_relation_size('case_facts') as bytes from case_facts`.execute(
      history.db,
    );
    const caseFactsMb = Math.round(Number(facts.rows[0].bytes) / 1e5) / 10;
    o.log(
      `kpi: ${facts.rows[0].n} cases projected (loaded in ${loadSeconds} s, settled ${settleSeconds} s later); case_facts ${caseFactsMb} MB`,
    );
    await sql`vacuum analyze case_facts`.execute(history.db);

    const cookie = await o.login(server.url);
    const windows = {
      month: { from: new Date(now - 30 * DAY_MS).toISOString(), to: new Date(now).toISOString() },
      year: { from: new Date(start).toISOString(), to: new Date(now + 1).toISOString() },
    } as const;
    const timings: KpiTiming[] = [];
    for (const [window, w] of Object.entries(windows) as ['month' | 'year', { from: string; to: string }][])
      for (const groupBy of GROUPINGS) {
        const url = `${server.url}/api/v1/kpis?from=${w.from}&to=${w.to}&groupBy=${groupBy}`;
        const hist = new Histogram();
        let rows = 0;
        for (let i = 0; i < WARMUP + ROUNDS; i++) {
          const t = performance.now();
          const res = await fetch(url, { headers: { cookie } });
          const body = (await res.json()) as { rows: unknown[] };
          if (res.status !== 200) throw new Error(`kpis: ${res.status} ${JSON.stringify(body)}`);
          if (i >= WARMUP) hist.record(performance.now() - t);
          rows = body.rows.length;
        }
        const s = hist.summary();
        timings.push({ window, groupBy, rows, p50: s.p50 ?? 0, p99: s.p99 ?? 0, max: s.max ?? 0 });
        o.log(
          `kpi: ${window} by ${groupBy} (${rows} rows): p50 ${s.p50} ms, p99 ${s.p99} ms, max ${s.max} ms`,
        );
      }
    return { cases: Number(facts.rows[0].n), loadSeconds, settleSeconds, caseFactsMb, timings };
  } finally {
    redis.disconnect();
    await history.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
