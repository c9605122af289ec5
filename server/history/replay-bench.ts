/**
 * Replay's state at `from` on a large log: `npx tsx server/history/replay-bench.ts [events]`
 * (default 300,000). Fills a private PostgreSQL (server/testing/postgres.ts) with a synthetic
 * log through the projection code, then times, at several moments, the full scan replay used
 * before migration 0002 (`DISTINCT ON` over every entity event ≤ seq, without and with the new
 * index) against `ReplayRepository.latestPerEntity`, and checks both give the same events.
 */
import { sql } from 'kysely';
import { isDeepStrictEqual } from 'node:util';
import type { LiveEvent } from '../../shared/protocol.ts';
import { mulberry32 } from '../../shared/random.ts';
import { startTestPostgres } from '../testing/postgres.ts';
import { migrate, openHistory, type HistoryDb } from './db.ts';
import { pgJson } from './pg-text.ts';
import { applyToReadModels } from './read-models.ts';
import { ENTITY_TYPES, ReplayRepository } from './replay.repository.ts';

const TOTAL = Number(process.argv[2] ?? 300_000);
const DAY = 24 * 3600 * 1000;
const T0 = Date.parse('2026-09-01T00:00:00Z');
const RESOURCES = 200;
const CAMERAS = 300;

/** A deterministic generator, so runs compare. */
const random = mulberry32(42);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];

type Pending = Omit<LiveEvent, 'seq'>;
/** Synthetic entities: plain records, shaped like the real ones where the projection looks. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

/** A command centre's day: cases opening and moving to closed, alerts, resources, operations. */
function* synthetic(total: number): Generator<LiveEvent> {
  let seq = 0;
  let t = T0;
  let n = 0;
  const open = new Map<string, Loose>();
  const alerts = new Map<string, Loose>();
  const ops = new Map<string, Loose>();
  const steps = ['accepted', 'verified', 'dispatched', 'handled', 'inspected', 'closed'];
  const emit = (e: Pending): LiveEvent => ({ ...e, seq: ++seq }) as LiveEvent;
  while (seq < total) {
    t += 5_000 + Math.floor(random() * 20_000);
    const at = new Date(t).toISOString();
    const r = random();
    if (r < 0.08 || open.size < 50) {
      const id = `INC-bench-${++n}`;
      const inc = {
        id,
        source: 'hotline-12345',
        kind: 'case',
        category: pick(['fire', 'flood', 'traffic', 'other', 'environment']),
        title: `合成事件 ${n} 某街道某小区门口情况说明`,
        description: '居民来电反映情况，需核实处理。'.repeat(4),
        location: { lng: 116.2 + random() * 0.2, lat: 39.85 + random() * 0.15 },
        address: `海淀区某路${n % 300}号`,
        locationLabel: '海淀区 · 万寿路街道 · 翠微路社区',
        streetId: `S${n % 20}`,
        communityId: `C${n % 200}`,
        outsideDistrict: false,
        severity: 3,
        status: 'accepted',
        reportedAt: at,
        createdAt: at,
        updatedAt: at,
        reportCount: 1,
        mergedIds: [] as string[],
        videoAlertIds: [],
        operationIds: [],
        lastAction: { at, action: 'accepted', actor: 'intake' },
        version: 1,
      };
      open.set(id, inc);
      yield emit({ type: 'incident.created', at, actor: 'intake', data: inc } as Pending);
    } else if (r < 0.6) {
      const inc = pick([...open.values()]);
      const merge = random() < 0.3 && inc.status !== 'closed';
      const status = merge
        ? inc.status
        : steps[Math.min(steps.length - 1, steps.indexOf(inc.status) + 1 + Math.floor(random() * 2))];
      const ref = `INC-bench-m${seq}`;
      const next = {
        ...inc,
        status,
        updatedAt: at,
        ...(merge ? { mergedIds: [...inc.mergedIds, ref].slice(-20), reportCount: inc.reportCount + 1 } : {}),
        lastAction: merge
          ? { at, action: 'merged', actor: 'intake', ref }
          : { at, action: status, actor: 'duty' },
        version: inc.version + 1,
      };
      if (status === 'closed') open.delete(inc.id);
      else open.set(inc.id, next);
      yield emit({ type: 'incident.updated', at, actor: 'duty', data: next } as Pending);
    } else if (r < 0.8) {
      const id = `RES-${Math.floor(random() * RESOURCES)}`;
      const res = {
        id,
        name: `资源 ${id}`,
        type: 'fire_engine',
        unit: '某中队',
        home: { lng: 116.3, lat: 39.9 },
        homeName: '某中队',
        status: pick(['available', 'dispatched', 'en_route', 'on_scene', 'returning']),
        location: { lng: 116.3, lat: 39.9 },
        incidentId: null,
        operationId: null,
        dispatchId: null,
        updatedAt: at,
        version: seq,
      };
      yield emit({ type: 'resource.updated', at, actor: 'duty', data: res } as Pending);
    } else if (r < 0.9) {
      const known = [...alerts.values()];
      if (known.length && random() < 0.5) {
        const a = pick(known);
        alerts.delete(a.id);
        const next = { ...a, status: random() < 0.7 ? 'dismissed' : 'confirmed', updatedAt: at, version: 2 };
        yield emit({ type: 'video_alert.updated', at, actor: 'duty', data: next } as Pending);
      } else {
        const id = `VA-bench-${seq}`;
        const a = {
          id,
          cameraId: `CAM-${Math.floor(random() * CAMERAS)}`,
          cameraName: '某路口',
          type: 'smoke',
          confidence: 0.8,
          location: { lng: 116.3, lat: 39.9 },
          locationLabel: '海淀区',
          streetId: null,
          communityId: null,
          observedAt: at,
          createdAt: at,
          updatedAt: at,
          status: 'new',
          incidentId: null,
          version: 1,
        };
        alerts.set(id, a);
        yield emit({ type: 'video_alert.created', at, actor: 'video', data: a } as Pending);
      }
    } else if (r < 0.905) {
      const active = [...ops.values()];
      if (active.length > 3 || (active.length && random() < 0.4)) {
        const op = pick(active);
        const done = random() < 0.2;
        const next = {
          ...op,
          status: done ? 'stood_down' : 'active',
          stoodDownAt: done ? at : null,
          tasks: op.tasks.map((k: Loose, i: number) =>
            i === op.version % 8 ? { ...k, status: 'done', doneAt: at } : k,
          ),
          version: op.version + 1,
        };
        if (done) ops.delete(op.id);
        else ops.set(op.id, next);
        yield emit({ type: done ? 'operation.stood_down' : 'operation.updated', at, data: next } as Pending);
      } else {
        const id = `OP-bench-${seq}`;
        const op = {
          id,
          planId: 'plan-fire',
          planName: '火灾预案',
          planNameEn: 'Fire',
          incidentId: pick([...open.keys()]),
          name: '行动',
          level: 2,
          status: 'active',
          cordonRadiusM: 200,
          tasks: Array.from({ length: 8 }, (_, i) => ({
            id: `T${i}`,
            title: '任务',
            titleEn: 'task',
            unit: '某单位',
            role: 'commander',
            order: i,
            status: 'pending',
            dueAt: new Date(t + 3600_000).toISOString(),
            overdue: false,
            doneAt: null,
            updatedAt: at,
          })),
          proposals: [],
          resourceIds: [],
          activatedAt: at,
          activatedBy: 'commander',
          stoodDownAt: null,
          stoodDownBy: null,
          logFromSeq: seq,
          version: 1,
        };
        ops.set(id, op);
        yield emit({ type: 'operation.activated', at, actor: 'commander', data: op } as Pending);
        yield emit({
          type: 'mode.changed',
          at,
          actor: 'commander',
          data: { id: 'mode', state: 'wartime', since: at, operationIds: [id] },
        } as Pending);
      }
    } else {
      // What has no state of its own: field reports on open cases.
      const inc = pick([...open.values()]);
      const report = {
        id: `RPT-bench-${seq}`,
        incidentId: inc.id,
        text: '现场情况说明',
        actor: 'liaison',
        at,
      };
      yield emit({ type: 'report.created', at, actor: 'liaison', data: report } as Pending);
    }
  }
}

/** The projector's write, batch by batch: events and read models in one transaction. */
async function fill(db: HistoryDb, total: number): Promise<void> {
  let batch: LiveEvent[] = [];
  const flush = async () => {
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('events')
        .values(
          batch.map((e) => ({
            seq: e.seq,
            type: e.type,
            at: e.at,
            actor: e.actor ?? null,
            data: pgJson(e.data),
          })),
        )
        .execute();
      await applyToReadModels(trx, batch);
    });
    batch = [];
  };
  for (const ev of synthetic(total)) {
    batch.push(ev);
    if (batch.length === 2000) await flush();
  }
  if (batch.length) await flush();
  await sql`analyze`.execute(db);
}

/** What replay ran before migration 0002: every entity event ≤ seq, DISTINCT ON entity. */
async function scanLatest(db: HistoryDb, seq: number, finishedBefore: string): Promise<number[]> {
  const { rows } = await sql<{ seq: number }>`
    select seq, type, at, actor, data from (
      select distinct on (split_part(type, '.', 1), data->>'id') seq, type, at, actor, data
      from events
      where seq <= ${seq} and type in (${sql.join(ENTITY_TYPES.map((t) => sql.lit(t)))})
      order by split_part(type, '.', 1), data->>'id', seq desc
    ) latest
    where split_part(type, '.', 1) not in ('incident', 'video_alert')
      or data->>'status' not in ('closed', 'dismissed')
      or (data->>'updatedAt')::timestamptz >= ${finishedBefore}::timestamptz`.execute(db);
  return rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
}

async function time<T>(f: () => Promise<T>, runs = 3): Promise<{ ms: number; value: T }> {
  const ms: number[] = [];
  let value!: T;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    value = await f();
    ms.push(performance.now() - t);
  }
  return { ms: ms.sort((a, b) => a - b)[Math.floor(runs / 2)], value };
}

const pg = await startTestPostgres();
const h = openHistory(pg.url);
try {
  await migrate(h.db);
  const t = performance.now();
  await fill(h.db, TOTAL);
  const { rows } = await sql<{ n: number; first: string; last: string }>`
    select count(*)::int as n, min(at)::text as first, max(at)::text as last from events`.execute(h.db);
  console.log(
    `${rows[0].n} events (${rows[0].first} .. ${rows[0].last}), filled in ${Math.round(performance.now() - t)} ms`,
  );
  const repo = new ReplayRepository(h.db);
  const first = Date.parse(rows[0].first);
  const span = Date.parse(rows[0].last) - first;
  const moments = [0.1, 0.5, 0.9, 1].map((f) => new Date(first + span * f).toISOString());
  const fb = (at: string) => new Date(Date.parse(at) - DAY).toISOString();

  const results: string[] = [];
  await sql`drop index events_entity_seq`.execute(h.db);
  const before: Record<string, number> = {};
  for (const at of moments) {
    const seq = await repo.seqAt(at);
    before[at] = (await time(() => scanLatest(h.db, seq, fb(at)))).ms;
  }
  await sql`create index events_entity_seq on events ((split_part(type, '.', 1)), (data->>'id'), seq desc)
    where type in ('incident.created', 'incident.updated', 'incident.archived', 'video_alert.created',
      'video_alert.updated', 'video_alert.archived', 'operation.activated', 'operation.updated',
      'operation.stood_down', 'operation.archived', 'resource.updated', 'mode.changed')`.execute(h.db);
  await sql`analyze events`.execute(h.db);
  for (const at of moments) {
    const cut = await time(() => repo.seqAt(at));
    const seq = cut.value;
    const exact = await time(async () => {
      const { rows: r } = await sql<{
        seq: number;
      }>`select max(seq) as seq from events where at <= ${at}`.execute(h.db);
      return Number(r[0].seq);
    });
    if (exact.value !== seq) throw new Error(`seqAt ${at}: ${seq}, max(seq) says ${exact.value}`);
    const scan = await time(() => scanLatest(h.db, seq, fb(at)));
    const now = await time(async () => (await repo.latestPerEntity(seq, fb(at))).map((e) => e.seq));
    if (!isDeepStrictEqual(scan.value, now.value))
      throw new Error(`at ${at}: ${scan.value.length} events by the scan, ${now.value.length} now`);
    results.push(
      `${at} seq ${seq}: ${now.value.length} entities | seqAt ${cut.ms.toFixed(1)} ms (max(seq) ${exact.ms.toFixed(1)} ms) | scan ${before[at].toFixed(0)} ms` +
        ` (with the index ${scan.ms.toFixed(0)} ms) | now ${now.ms.toFixed(1)} ms`,
    );
  }
  console.log(results.join('\n'));
} finally {
  await h.close();
  await pg.stop();
}
