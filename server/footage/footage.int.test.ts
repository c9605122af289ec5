import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../shared/common.ts';
import type { FootageList, FootageRequest } from '../../shared/footage.ts';
import type { KpiReport } from '../../shared/kpi.ts';
import { loginAll, type Api } from '../testing/command-helpers.ts';
import { startTestServer, waitForProjection, type TestServer } from '../testing/harness.ts';
import { RecordingClient } from '../testing/live-client.ts';
import { totalsOf } from './footage-rules.ts';

const ROLES = Role.options;
const OPERATORS = ['duty', 'commander', 'liaison', 'admin'];

describe('footage retrieval for the police (调取录像) over HTTP', () => {
  let s: TestServer;
  let as: Record<Role, Api>;
  let cams: string[];
  const started = new Date(Date.now() - 1000).toISOString();
  const input = () => ({
    cameraIds: cams.slice(0, 2),
    from: '2026-11-29T08:00:00+08:00',
    to: '2026-11-29T10:30:00+08:00',
    requester: '海淀分局 刑侦支队 王警官 <b>',
    caseRef: '京公海刑字〔2026〕1234号',
    reason: '盗窃案件调查\n需要路口录像',
  });
  const head = () => s.container.store.headSeq();
  const create = async () => {
    const r = await as.duty.post('/api/v1/footage-requests', input());
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as FootageRequest;
  };
  const list = async (q = `from=${started}&to=${new Date(Date.now() + 60_000).toISOString()}`) => {
    const r = await as.duty.get(`/api/v1/footage-requests?${q}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as FootageList;
  };

  beforeAll(async () => {
    s = await startTestServer();
    as = await loginAll(s.url);
    cams = s.container.cameras.map((c) => c.id);
  });
  afterAll(async () => s?.close());

  it('duty requests, the commander approves, duty completes: one commit and one event each, live', async () => {
    const client = new RecordingClient(s.url, as.commander.cookie, await head());
    await client.connected();
    const before = await head();
    const r = await create();
    expect(r).toMatchObject({
      status: 'requested',
      requestedBy: 'duty',
      cameraIds: cams.slice(0, 2),
      version: 1,
    });
    expect(r.requester).toBe('海淀分局 刑侦支队 王警官 <b>');
    const approved = await as.commander.post(`/api/v1/footage-requests/${r.id}/approve`, { note: '同意' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decidedBy: 'commander', decisionNote: '同意' });
    const done = await as.duty.post(`/api/v1/footage-requests/${r.id}/complete`, { hours: 2.5 });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'completed', completedBy: 'duty', hours: 2.5, version: 3 });
    expect(await head()).toBe(before + 3);

    await client.waitForSeq(before + 3);
    const evs = client.events.filter((e) => e.seq > before);
    expect(evs.map((e) => [e.type, (e.data as FootageRequest).status, e.actor])).toEqual([
      ['footage_request.created', 'requested', 'duty'],
      ['footage_request.updated', 'approved', 'commander'],
      ['footage_request.updated', 'completed', 'duty'],
    ]);
    expect(evs[2].data).toEqual(done.body);
    client.close();

    // A finished request leaves the working set; the record keeps it.
    expect(await s.container.redis.hget(s.container.keys.footageRequests, r.id)).toBeNull();
    expect((await as.liaison.get(`/api/v1/footage-requests/${r.id}`)).body).toEqual(done.body);
    await waitForProjection(s, before + 3);
    const row = await s.container.history.db
      .selectFrom('footage_requests')
      .selectAll()
      .where('id', '=', r.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'completed', hours: 2.5, last_seq: before + 3 });
    expect(row.data).toEqual(done.body);
    // And once projected the read is the record's: the same answer.
    expect((await as.admin.get(`/api/v1/footage-requests/${r.id}`)).body).toEqual(done.body);
  });

  it('every route answers per role: request and complete duty only, decide commander only, read operators', async () => {
    for (const role of ROLES) {
      const before = await head();
      const made = await as[role].post('/api/v1/footage-requests', input());
      expect(made.status, role).toBe(role === 'duty' ? 201 : 403);
      if (role !== 'duty') expect(await head(), role).toBe(before);
    }
    const a = await create();
    const b = await create();
    for (const role of ROLES) {
      if (role === 'commander') continue;
      const before = await head();
      expect((await as[role].post(`/api/v1/footage-requests/${a.id}/approve`, {})).status, role).toBe(403);
      expect((await as[role].post(`/api/v1/footage-requests/${a.id}/deny`, {})).status, role).toBe(403);
      expect(await head()).toBe(before);
    }
    expect((await as.commander.post(`/api/v1/footage-requests/${a.id}/approve`)).status).toBe(200);
    const denied = await as.commander.post(`/api/v1/footage-requests/${b.id}/deny`, { note: '手续不全' });
    expect(denied.body).toMatchObject({ status: 'denied', decisionNote: '手续不全' });
    for (const role of ROLES) {
      if (role === 'duty') continue;
      expect(
        (await as[role].post(`/api/v1/footage-requests/${a.id}/complete`, { hours: 1 })).status,
        role,
      ).toBe(403);
    }
    for (const role of ROLES) {
      const want = OPERATORS.includes(role) ? 200 : 403;
      expect((await as[role].get('/api/v1/footage-requests')).status, role).toBe(want);
      expect((await as[role].get(`/api/v1/footage-requests/${a.id}`)).status, role).toBe(want);
    }
    const anon = await fetch(`${s.url}/api/v1/footage-requests`);
    expect(anon.status).toBe(401);
  });

  it('bad input is a 400 naming every problem, and writes nothing', async () => {
    const cases: [string, unknown, string[]][] = [
      ['/api/v1/footage-requests', {}, ['cameraIds', 'from', 'to', 'requester', 'caseRef', 'reason']],
      ['/api/v1/footage-requests', { ...input(), cameraIds: [] }, ['cameraIds']],
      ['/api/v1/footage-requests', { ...input(), to: input().from }, ['to']],
      ['/api/v1/footage-requests', { ...input(), from: 'yesterday', extra: 1 }, ['from', 'extra']],
      [
        '/api/v1/footage-requests',
        { ...input(), cameraIds: [cams[0], 'CAM-NOPE', 'CAM-NADA'] },
        ['cameraIds.1', 'cameraIds.2'],
      ],
      ['/api/v1/footage-requests', { ...input(), requester: '', reason: '' }, ['requester', 'reason']],
    ];
    const open = await create();
    await as.commander.post(`/api/v1/footage-requests/${open.id}/approve`, {});
    cases.push(
      [`/api/v1/footage-requests/${open.id}/complete`, {}, ['hours']],
      [`/api/v1/footage-requests/${open.id}/complete`, { hours: -1 }, ['hours']],
      [`/api/v1/footage-requests/${open.id}/complete`, { hours: '3' }, ['hours']],
    );
    const pending = await create();
    cases.push([`/api/v1/footage-requests/${pending.id}/deny`, { note: 5 }, ['note']]);
    for (const [path, body, fields] of cases) {
      const before = await head();
      const api = path.endsWith('/deny') ? as.commander : as.duty;
      const r = await api.post(path, body);
      expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(r.body.error).toBe('invalid_request');
      const paths = (r.body.issues as { path: string }[]).map((i) => i.path);
      for (const f of fields) expect(paths, JSON.stringify(r.body)).toContain(f);
      expect(await head()).toBe(before);
    }
    expect((await as.duty.get(`/api/v1/footage-requests/${open.id}`)).body.status).toBe('approved');
    for (const q of ['from=nope', `from=${started}&to=${started}`, 'limit=3']) {
      const r = await as.duty.get(`/api/v1/footage-requests?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.issues.length, q).toBeGreaterThan(0);
    }
  });

  it('a step that does not fit the status is 409, an unknown id 404; nothing is written', async () => {
    const r = await create();
    const before = await head();
    expect((await as.duty.post(`/api/v1/footage-requests/${r.id}/complete`, { hours: 1 })).status).toBe(409);
    expect(await head()).toBe(before);
    await as.commander.post(`/api/v1/footage-requests/${r.id}/approve`, {});
    const mid = await head();
    expect((await as.commander.post(`/api/v1/footage-requests/${r.id}/approve`, {})).status).toBe(409);
    expect((await as.commander.post(`/api/v1/footage-requests/${r.id}/deny`, {})).status).toBe(409);
    await as.duty.post(`/api/v1/footage-requests/${r.id}/complete`, { hours: 1 });
    const end = await head();
    expect(end).toBe(mid + 1);
    // Finished (out of Redis): still 409, whether read from the stream or from the record.
    for (let pass = 0; pass < 2; pass++) {
      expect((await as.duty.post(`/api/v1/footage-requests/${r.id}/complete`, { hours: 1 })).status).toBe(
        409,
      );
      expect((await as.commander.post(`/api/v1/footage-requests/${r.id}/deny`, {})).status).toBe(409);
      await waitForProjection(s, end);
    }
    expect((await as.commander.post('/api/v1/footage-requests/FTG-nope/deny', {})).status).toBe(404);
    expect((await as.duty.post('/api/v1/footage-requests/FTG-nope/complete', { hours: 1 })).status).toBe(404);
    expect((await as.commander.post('/api/v1/footage-requests/FTG-nope/approve', {})).status).toBe(404);
    expect((await as.duty.get('/api/v1/footage-requests/FTG-nope')).status).toBe(404);
    expect(await head()).toBe(end);
  });

  it('the totals of a period equal a recount of its items, before and after projection', async () => {
    const a = await create();
    await as.commander.post(`/api/v1/footage-requests/${a.id}/approve`, {});
    await as.duty.post(`/api/v1/footage-requests/${a.id}/complete`, { hours: 0.1 });
    const b = await create();
    await as.commander.post(`/api/v1/footage-requests/${b.id}/approve`, {});
    await as.duty.post(`/api/v1/footage-requests/${b.id}/complete`, { hours: 0.2 });
    const period = `from=${started}&to=${new Date(Date.now() + 60_000).toISOString()}`;
    const fresh = await list(period);
    expect(fresh.items.map((r) => r.id)).toContain(b.id);
    const recount = totalsOf(fresh.items);
    expect(fresh.totals).toEqual(recount);
    expect(fresh.totals.count).toBe(fresh.items.length);
    expect(fresh.totals.byStatus.completed).toBe(fresh.items.filter((r) => r.status === 'completed').length);
    const hours = fresh.items.reduce((n, r) => n + Math.round((r.hours ?? 0) * 100), 0) / 100;
    expect(fresh.totals.hours).toBe(hours);
    // Newest first, all in the period.
    const times = fresh.items.map((r) => r.requestedAt);
    expect([...times].sort().reverse()).toEqual(times);
    await waitForProjection(s, await head());
    expect(await list(period)).toEqual(fresh);
    // A period before any request is empty.
    const empty = await list(`from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z`);
    expect(empty.items).toEqual([]);
    expect(empty.totals).toEqual({
      count: 0,
      hours: 0,
      byStatus: { requested: 0, approved: 0, denied: 0, completed: 0 },
    });
  });

  it("the monthly report's footage totals equal the list's for its month, in JSON, CSV and HTML", async () => {
    const c = await create();
    await as.commander.post(`/api/v1/footage-requests/${c.id}/approve`, {});
    await as.duty.post(`/api/v1/footage-requests/${c.id}/complete`, { hours: 1.25 });
    // The run on the 1st of next month (Asia/Shanghai) reports this month.
    const local = new Date(Date.now() + 8 * 3600_000);
    const y = local.getUTCFullYear();
    const m = local.getUTCMonth() + 2;
    const next = m === 13 ? `${y + 1}-01` : `${y}-${String(m).padStart(2, '0')}`;
    await waitForProjection(s, await head());
    const { id } = await s.container.kpiReports.scheduled('monthly', Date.parse(`${next}-01T08:00:00+08:00`));
    const report = (await as.duty.get(`/api/v1/reports/${id}`)).body as KpiReport;
    const month = await list(`from=${report.from}&to=${report.to}`);
    expect(month.totals.count).toBeGreaterThan(0);
    expect(report.footage).toEqual({ count: month.totals.count, hours: month.totals.hours });
    const csv = (await as.duty.get(`/api/v1/reports/${id}.csv?lang=zh`)).body as unknown as string;
    expect(csv).toContain(`调取录像: 调取次数,${month.totals.count}\r\n`);
    expect(csv).toContain(`调取录像: 录像时长（小时）,${month.totals.hours}\r\n`);
    const en = (await as.duty.get(`/api/v1/reports/${id}.csv?lang=en`)).body as unknown as string;
    expect(en).toContain(`Footage retrieved for the police: Retrievals,${month.totals.count}\r\n`);
    expect(en).toContain(`Footage retrieved for the police: Hours of video,${month.totals.hours}\r\n`);
    const html = (await as.duty.get(`/api/v1/reports/${id}.html?lang=en`)).body as unknown as string;
    expect(html).toContain('Footage retrieved for the police');
    expect(html).toContain(`Retrievals ${month.totals.count}`);
    const zh = (await as.duty.get(`/api/v1/reports/${id}.html?lang=zh`)).body as unknown as string;
    expect(zh).toContain(`调取次数 ${month.totals.count}`);
  });
});
