import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KpiReport, KpiReportMeta } from '../../shared/kpi.ts';
import { apiAs, loginAll, reportIncident, until } from '../testing/command-helpers.ts';
import {
  login,
  startTestRedis,
  startTestServer,
  waitForProjection,
  type TestRedis,
  type TestServer,
} from '../testing/harness.ts';
import { reportQueue, reportSchedulerId } from './kpi-report-schedule.ts';
import { lastDue, REPORT_CRON, scheduledWindow } from './report-windows.ts';

/** Two servers on one Redis (one key prefix), as two containers of one deployment. */
let redis: TestRedis;
let a: TestServer;
let b: TestServer;
let as: Awaited<ReturnType<typeof loginAll>>;
const HOSTILE = '<img src=x onerror=alert(1)>"案卷&';

beforeAll(async () => {
  redis = await startTestRedis();
  a = await startTestServer({ redisUrl: redis.url, prefix: '{pzkpr}', reportCatchUp: true });
  b = await startTestServer({
    redisUrl: redis.url,
    prefix: '{pzkpr}',
    databaseUrl: a.config.databaseUrl,
    reportCatchUp: true,
  });
  as = await loginAll(a.url);
  await reportIncident(a.url, as.duty, { category: 'environment', title: HOSTILE });
  await reportIncident(a.url, as.duty, { category: 'traffic' });
  await reportIncident(a.url, as.duty, { category: 'infrastructure' });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await redis?.stop();
});

const kpiReportEvents = async (s: TestServer) =>
  (await s.container.store.readAfter(0, 100_000)).filter((e) => e.type === 'kpi_report.created');

describe('the report schedules', () => {
  it('are registered once however many servers start: daily, weekly, monthly at 08:00 Asia/Shanghai', async () => {
    const q = reportQueue(redis.url, a.container.keys.bullPrefix);
    try {
      const schedulers = await q.getJobSchedulers();
      expect(schedulers.map((s) => s.key).sort()).toEqual(
        ['daily', 'monthly', 'weekly'].map((k) => reportSchedulerId(k as 'daily')).sort(),
      );
      for (const s of schedulers) {
        expect(s.tz).toBe('Asia/Shanghai');
        expect(Object.values(REPORT_CRON)).toContain(s.pattern);
      }
      // One next run each, not one per server.
      expect(await q.getDelayedCount()).toBe(3);
      const next = (await q.getDelayed()).map((j) => new Date(j.timestamp + j.delay));
      for (const at of next) {
        expect(at.getUTCHours()).toBe(0); // 08:00 in Asia/Shanghai
        expect(at.getUTCMinutes()).toBe(0);
      }
    } finally {
      await q.close();
    }
  });

  it('the latest due runs are caught up at start, once for both servers', async () => {
    for (const kind of ['daily', 'weekly', 'monthly'] as const) {
      const id = scheduledWindow(kind, lastDue(kind, Date.now())).id;
      const r = await until(async () => {
        const got = await as.duty.get(`/api/v1/reports/${id}`);
        return got.status === 200 ? (got.body as KpiReport) : null;
      });
      expect(r.kind).toBe(kind);
      expect((await kpiReportEvents(a)).filter((e) => e.data.id === id)).toHaveLength(1);
    }
  });

  it('a run done twice (a retry, two workers at once) makes one report, with the window of its due time', async () => {
    const due = Date.parse('2026-12-01T00:00:00Z'); // 08:00 on 1 December in Shanghai
    const w = scheduledWindow('daily', due);
    const runs = await Promise.all([
      a.container.registry.run('kpi_report.scheduled', { kind: 'daily', scheduledAt: due }),
      b.container.registry.run('kpi_report.scheduled', { kind: 'daily', scheduledAt: due }),
    ]);
    expect(runs.map((r) => (r as { id: string }).id)).toEqual([w.id, w.id]);
    expect((await kpiReportEvents(a)).filter((e) => e.data.id === w.id)).toHaveLength(1);
    // Once in the database, a third run does not even compute it again.
    await waitForProjection(a, await a.container.store.headSeq());
    expect(
      await a.container.registry.run('kpi_report.scheduled', { kind: 'daily', scheduledAt: due }),
    ).toEqual({
      id: w.id,
      created: false,
    });
    const r = await as.duty.get(`/api/v1/reports/${w.id}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ kind: 'daily', from: w.from, to: w.to, createdBy: 'system:scheduler' });
  });

  it('a job on the queue is run by a report worker', async () => {
    const due = Date.parse('2026-11-30T00:00:00Z'); // a Monday, 08:00 in Shanghai
    const q = reportQueue(redis.url, a.container.keys.bullPrefix);
    try {
      await q.add('kpi_report.scheduled', { kind: 'weekly', scheduledAt: due });
      await q.add('kpi_report.scheduled', { kind: 'weekly', scheduledAt: due });
    } finally {
      await q.close();
    }
    const id = scheduledWindow('weekly', due).id;
    const got = await until(async () => {
      const r = await as.duty.get(`/api/v1/reports/${id}`);
      return r.status === 200 ? (r.body as KpiReport) : null;
    });
    expect(got.kind).toBe('weekly');
    expect(got.id).toBe('KPR-weekly-2026-W48');
    expect((await kpiReportEvents(a)).filter((e) => e.data.id === id)).toHaveLength(1);
  });
});

describe('/api/v1/reports', () => {
  const window = () => ({
    kind: 'custom',
    from: new Date(Date.now() - 3600_000).toISOString(),
    to: new Date(Date.now() + 3600_000).toISOString(),
  });

  it('makes a custom report whose figures equal GET /api/v1/kpis for the same window', async () => {
    const w = window();
    await waitForProjection(a, await a.container.store.headSeq());
    const made = await as.duty.post('/api/v1/reports', w);
    expect(made.status).toBe(201);
    const report = made.body as KpiReport;
    expect(report).toMatchObject({ kind: 'custom', from: w.from, to: w.to, createdBy: 'duty' });
    expect(report.total.accepted).toBeGreaterThanOrEqual(3);
    for (const [groupBy, rows] of [
      ['street', report.byStreet],
      ['department', report.byDepartment],
      ['category', report.byCategory],
    ] as const) {
      const k = await as.duty.get(
        `/api/v1/kpis?from=${encodeURIComponent(w.from)}&to=${encodeURIComponent(w.to)}&groupBy=${groupBy}`,
      );
      expect(k.status).toBe(200);
      expect(rows).toEqual(k.body.rows);
      expect(report.total).toEqual(k.body.total);
      expect(report.weights).toEqual(k.body.weights);
    }
    // Readable at once (before or after projection), and listed newest first.
    expect((await as.duty.get(`/api/v1/reports/${report.id}`)).body).toEqual(report);
    const list = (await as.duty.get('/api/v1/reports')).body as KpiReportMeta[];
    expect(list[0]).toEqual({
      id: report.id,
      kind: 'custom',
      from: w.from,
      to: w.to,
      createdAt: report.createdAt,
    });
    const times = list.map((r) => r.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('downloads as CSV with a BOM and as a printable page, in Chinese and English, escaping user text', async () => {
    const { body: report } = await as.duty.post('/api/v1/reports', window());
    // The author's name is user text too (an account may be called anything).
    const { body: again } = await apiAs(a.url, await login(a.url, 'admin')).post('/api/v1/reports', window());
    expect(again.createdBy).toBe('admin');
    for (const lang of ['zh', 'en']) {
      const csv = await fetch(`${a.url}/api/v1/reports/${report.id}.csv?lang=${lang}`, {
        headers: { cookie: as.duty.cookie },
      });
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
      expect(csv.headers.get('content-disposition')).toContain(`${report.id}.csv`);
      const bytes = new Uint8Array(await csv.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = new TextDecoder().decode(bytes.slice(3));
      expect(text).toContain(lang === 'zh' ? '受理' : 'Accepted');
      expect(text).toContain(lang === 'zh' ? '海淀区' : 'Haidian District');

      const html = await as.duty.get(`/api/v1/reports/${report.id}.html?lang=${lang}`);
      expect(html.status).toBe(200);
      expect(html.headers.get('content-type')).toMatch(/^text\/html/);
      expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(html.body).toContain(lang === 'zh' ? '专题报表' : 'Custom report');
      expect(html.body).toContain('GMT+8');
      expect(html.body).not.toContain(HOSTILE);
      expect(html.body).not.toContain('<img');
    }
    expect((await as.duty.get(`/api/v1/reports/${report.id}.html?lang=fr`)).status).toBe(400);
  });

  it('answers per the permissions: read for operators, make for duty/commander/admin; 404 for none', async () => {
    expect((await as.liaison.get('/api/v1/reports')).status).toBe(200);
    expect((await as.liaison.post('/api/v1/reports', window())).status).toBe(403);
    expect((await as.commander.post('/api/v1/reports', window())).status).toBe(201);
    expect((await fetch(`${a.url}/api/v1/reports`)).status).toBe(401);
    expect((await as.duty.get('/api/v1/reports/KPR-nope')).status).toBe(404);
    expect((await as.duty.get('/api/v1/reports/KPR-nope.csv')).status).toBe(404);
    const bad = await as.duty.post('/api/v1/reports', { kind: 'daily', from: 'x', to: 'y' });
    expect(bad.status).toBe(400);
    const backwards = await as.duty.post('/api/v1/reports', {
      kind: 'custom',
      from: '2026-12-02T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
    });
    expect(backwards.status).toBe(400);
  });
});
