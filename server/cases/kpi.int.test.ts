/**
 * The KPI property test (issue 11): random case histories (seeded) go in through the write path
 * (EventStore.commit, as the services commit), the projector projects them, and
 * `GET /api/v1/kpis` for several windows and every groupBy must equal the reference definitions
 * (`kpiCounts`/`kpiRates`) over the same cases' final status and steps, exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORY_NAMES } from '../../shared/category-names.ts';
import type { Incident } from '../../shared/incident.ts';
import type { KpiAnswer, KpiGroupBy, KpiRow } from '../../shared/kpi.ts';
import { mulberry32, pick } from '../../shared/random.ts';
import { departments } from '../data/departments.ts';
import { rebuildReadModels } from '../history/rebuild.ts';
import { apiAs, until, type Api } from '../testing/command-helpers.ts';
import { login, startTestServer, waitForHead, type TestServer } from '../testing/harness.ts';
import { dayStart, localDate } from './calendar.ts';
import { defaultCaseRules } from './default-rules.ts';
import { kpiCounts, kpiRates } from './kpi-definitions.ts';
import { randomCase } from './random-cases.ts';

const SEED = 20261101;
const CASES = 400;
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const GROUPINGS: KpiGroupBy[] = ['street', 'department', 'category', 'day'];

type Window = { from: string; to: string };

describe('GET /api/v1/kpis equals the definitions over the same cases', () => {
  let s: TestServer;
  let duty: Api;
  const finals: Incident[] = [];
  /** Each case's last event type: a deadline event (case.overdue) is the last version of some. */
  const lastTypes: string[] = [];
  const now = Date.now();
  // Day-aligned (Asia/Shanghai) start of the cases' span: 30 days ending three days ago.
  const start = dayStart(localDate(now - 33 * DAY));
  /** Moments shared by several cases: the edges of a window. */
  const edgeFrom = start + 5 * DAY + 7 * HOUR + 123;
  const edgeTo = start + 12 * DAY + 15 * HOUR + 456;
  let streetName: Map<string, string>;
  let deptName: Map<string, string>;

  beforeAll(async () => {
    s = await startTestServer();
    duty = apiAs(s.url, await login(s.url, 'duty'));
    const streets = s.container.grids.features.filter((f) => f.properties.level === 'street');
    streetName = new Map(streets.map((f) => [f.properties.id, f.properties.name]));
    const depts = departments(s.container.grids);
    deptName = new Map(depts.map((d) => [d.id, d.name]));
    // A few streets and departments take most cases, so groups have several each.
    const streetIds = [...streets.slice(0, 6).map((f) => f.properties.id), null];
    const deptIds = depts.slice(0, 8).map((d) => d.id);

    const rand = mulberry32(SEED);
    const histories = Array.from({ length: CASES }, (_, i) => {
      const r = rand();
      const createdAt =
        r < 0.03
          ? edgeFrom
          : r < 0.06
            ? edgeTo
            : r < 0.08
              ? edgeTo - 1
              : start + Math.floor(rand() * 30 * DAY);
      return randomCase(rand, { id: `KPI-${i}`, createdAt, now, streets: streetIds, departments: deptIds });
    });
    // Every version committed as the services commit one: state, seq and event in one script.
    // Cases in parallel lanes, each case's versions in order.
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < histories.length; i = next++)
        for (const ev of histories[i].events) {
          const res = await s.container.store.commit({
            put: [{ hash: 'incidents', id: ev.data.id, value: ev.data }],
            events: [ev],
          });
          expect(res.status).toBe('ok');
        }
    };
    await Promise.all(Array.from({ length: 16 }, lane));
    finals.push(...histories.map((h) => h.final));
    lastTypes.push(...histories.map((h) => h.events[h.events.length - 1].type));
    await waitForHead(s, await s.container.store.headSeq(), 60_000);
  });
  afterAll(async () => {
    await s?.close();
  });

  const weights = () => defaultCaseRules(departments(s.container.grids)).weights;

  function keyOf(c: Incident, g: KpiGroupBy): string {
    if (g === 'street') return c.streetId ?? 'none';
    if (g === 'department') return c.departmentId ?? 'none';
    if (g === 'category') return c.category;
    return localDate(Date.parse(c.createdAt));
  }
  function nameOf(key: string, g: KpiGroupBy): string {
    if (key === 'none') return g === 'street' ? '未落入街道' : '未派遣';
    if (g === 'street') return streetName.get(key)!;
    if (g === 'department') return deptName.get(key)!;
    if (g === 'category') return CATEGORY_NAMES[key as Incident['category']].zh;
    return key;
  }
  /** The answer recomputed from the cases' own status and steps, by the reference definitions. */
  function expected(w: Window, g: KpiGroupBy, cases: Incident[] = finals): Omit<KpiAnswer, 'weights'> {
    const a = Date.parse(w.from);
    const b = Date.parse(w.to);
    const inWindow = cases.filter((c) => Date.parse(c.createdAt) >= a && Date.parse(c.createdAt) < b);
    const groups = new Map<string, Incident[]>();
    for (const c of inWindow) groups.set(keyOf(c, g), [...(groups.get(keyOf(c, g)) ?? []), c]);
    const row = (key: string, name: string, cs: Incident[]): KpiRow => {
      const counts = kpiCounts(cs, Date.now());
      return { key, name, ...counts, ...kpiRates(counts, weights()) };
    };
    const keys = [...groups.keys()].sort((x, y) =>
      x === 'none' ? 1 : y === 'none' ? -1 : x < y ? -1 : x > y ? 1 : 0,
    );
    return {
      from: new Date(a).toISOString(),
      to: new Date(b).toISOString(),
      groupBy: g,
      rows: keys.map((k) => row(k, nameOf(k, g), groups.get(k)!)),
      total: row('total', '合计', inWindow),
    };
  }
  const ask = async (w: Window, g: KpiGroupBy) => {
    const res = await duty.get(
      `/api/v1/kpis?from=${encodeURIComponent(w.from)}&to=${encodeURIComponent(w.to)}&groupBy=${g}`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as KpiAnswer;
  };

  const iso = (ms: number) => new Date(ms).toISOString();
  const a = start + Math.floor(mulberry32(SEED + 1)() * 20 * DAY);
  const windows: Record<string, Window> = {
    everything: { from: iso(start - DAY), to: iso(now + DAY) },
    // The edges themselves: a case accepted exactly at `from` counts, one exactly at `to` does not.
    edges: { from: iso(edgeFrom), to: iso(edgeTo) },
    'a week of Shanghai days': { from: iso(start + 3 * DAY), to: iso(start + 10 * DAY) },
    random: { from: iso(a), to: iso(a + Math.floor(mulberry32(SEED + 2)() * 10 * DAY) + 1) },
    'one millisecond': { from: iso(edgeTo - 1), to: iso(edgeTo) },
  };

  it('has cases of every shape to count', () => {
    const all = kpiCounts(finals, now);
    for (const [k, v] of Object.entries(all)) expect(v, k).toBeGreaterThan(0);
    expect(finals.filter((c) => c.createdAt === iso(edgeFrom)).length).toBeGreaterThan(2);
    expect(finals.filter((c) => c.createdAt === iso(edgeTo)).length).toBeGreaterThan(2);
    expect(finals.some((c) => c.steps.some((st) => st.onTime && st.finishedAt === st.dueAt))).toBe(true);
    expect(lastTypes.filter((t) => t === 'case.overdue').length).toBeGreaterThan(5);
  });

  it('projects every case as its last version left it, a deadline event included', async () => {
    const { rows } = await s.container.history.pool.query('select data from cases order by id');
    const byId = new Map(finals.map((c) => [c.id, c]));
    expect(rows.length).toBe(CASES);
    for (const r of rows) expect(r.data).toEqual(byId.get(r.data.id));
  });

  for (const [name, win] of Object.entries(windows))
    for (const g of GROUPINGS)
      it(`window "${name}", by ${g}`, async () => {
        const got = await ask(win, g);
        expect(got.weights).toEqual(weights());
        const { weights: _w, ...figures } = got;
        expect(figures).toEqual(expected(win, g));
        // `total` is all rows together.
        const sum = (k: keyof KpiRow) => got.rows.reduce((n, r) => n + (r[k] as number), 0);
        for (const k of ['accepted', 'closed', 'reworks', 'overdueOpen'] as const)
          expect(got.total[k]).toBe(sum(k));
      });

  it('answers an empty window with no rows and null rates', async () => {
    const got = await ask({ from: iso(now + 10 * DAY), to: iso(now + 11 * DAY) }, 'street');
    expect(got.rows).toEqual([]);
    expect(got.total).toMatchObject({ accepted: 0, timelinessRate: null, closureRate: null, score: null });
  });

  it("counts a scoped user's own cases only", async () => {
    const w = windows.everything;
    const street = pick(
      mulberry32(SEED + 2),
      finals.filter((c) => c.streetId),
    ).streetId!;
    const dept = pick(
      mulberry32(SEED + 3),
      finals.filter((c) => c.departmentId),
    ).departmentId!;
    for (const g of GROUPINGS) {
      const sub = await s.container.kpis.kpis({ ...w, groupBy: g }, { role: 'subcentre', streetId: street });
      const { weights: _a, ...subFigures } = sub;
      expect(subFigures).toEqual(
        expected(
          w,
          g,
          finals.filter((c) => c.streetId === street),
        ),
      );
      const dep = await s.container.kpis.kpis(
        { ...w, groupBy: g },
        { role: 'department', departmentId: dept },
      );
      const { weights: _b, ...depFigures } = dep;
      expect(depFigures).toEqual(
        expected(
          w,
          g,
          finals.filter((c) => c.departmentId === dept),
        ),
      );
    }
    // A scoped role bound to nothing sees nothing (never the district).
    const none = await s.container.kpis.kpis({ ...w, groupBy: 'street' }, { role: 'subcentre' });
    expect(none.rows).toEqual([]);
    expect(none.total.accepted).toBe(0);
  });

  it('names every bad parameter with a 400, and wants a session', async () => {
    const bad = await duty.get('/api/v1/kpis?from=yesterday&to=2026-01-01T00:00:00Z&groupBy=week');
    expect(bad.status).toBe(400);
    const paths = (bad.body.issues as { path: string }[]).map((i) => i.path).join(' ');
    expect(paths).toContain('from');
    expect(paths).toContain('groupBy');
    const backwards = await duty.get('/api/v1/kpis?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z');
    expect(backwards.status).toBe(400);
    expect(JSON.stringify(backwards.body.issues)).toContain('to');
    const missing = await duty.get('/api/v1/kpis?groupBy=day');
    expect(missing.status).toBe(400);
    const anon = await fetch(`${s.url}/api/v1/kpis?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z`);
    expect(anon.status).toBe(401);
  });

  it('gives the same facts after a rebuild as live projection wrote', async () => {
    const dump = async () =>
      (await s.container.history.pool.query('select * from case_facts order by id')).rows;
    const live = await dump();
    expect(live.length).toBe(CASES);
    await s.container.history.pool.query(`update case_facts set reworks = 99, current_due_at = null`);
    await rebuildReadModels(s.container.history.db);
    await until(async () => (await dump()).length === CASES);
    expect(await dump()).toEqual(live);
  });
});
