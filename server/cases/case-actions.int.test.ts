import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseRules } from '../../shared/case-rules.ts';
import type { OperatorRole } from '../../shared/common.ts';
import type { Incident } from '../../shared/incident.ts';
import { loginAll, reportIncident, type Api } from '../testing/command-helpers.ts';
import { startTestServer, type TestServer } from '../testing/harness.ts';
import { eventOf, put, scopedUser } from './case-testing.ts';

let srv: TestServer;
let as: Record<OperatorRole, Api>;
/** Bound to the department environment cases are routed to by the default rules. */
let env: Api;
let otherDept: Api;
beforeAll(async () => {
  srv = await startTestServer();
  as = await loginAll(srv.url);
  env = await scopedUser(srv, 't-env', { role: 'department', departmentId: 'dept-sthjj' });
  otherDept = await scopedUser(srv, 't-cgw', { role: 'department', departmentId: 'dept-cgw' });
});
afterAll(async () => srv?.close());

const act = (api: Api, id: string, body: Record<string, unknown>) => api.post(`/api/v1/cases/${id}/actions`, body);
const newCase = () => reportIncident(srv.url, as.duty, { category: 'environment' });

describe('the start of a case', () => {
  it('is accepted under the rules in force, at its grid level, with verify due', async () => {
    const rules = (await as.duty.get('/api/v1/case-rules')).body as CaseRules;
    const c = await newCase();
    expect(c.status).toBe('accepted');
    expect(c.rulesVersion).toBe(rules.version);
    expect(c.level).toBe(c.communityId ? 'community' : c.streetId ? 'street' : 'district');
    expect(c.departmentId).toBeNull();
    expect(c.steps).toHaveLength(1);
    expect(c.steps[0]).toMatchObject({ step: 'verify', startedAt: c.createdAt });
    expect(Date.parse(c.steps[0].dueAt)).toBeGreaterThan(Date.parse(c.createdAt));
  });
});

describe('POST /api/v1/cases/:id/actions', () => {
  it('walks the main line: verify, dispatch (routing), handle by the department, inspect, close', async () => {
    const c = await newCase();
    expect((await act(as.duty, c.id, { action: 'verify', note: '属实' })).body.status).toBe('verified');
    const d = await act(as.commander, c.id, { action: 'dispatch' });
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ status: 'dispatched', departmentId: 'dept-sthjj' });
    const h = await act(env, c.id, { action: 'handle', note: '已清运' });
    expect(h.status).toBe(200);
    expect(h.body.status).toBe('handled');
    expect((await act(as.duty, c.id, { action: 'inspect', passed: true })).body.status).toBe('inspected');
    const closed = await act(as.duty, c.id, { action: 'close' });
    expect(closed.body.status).toBe('closed');
    expect((closed.body as Incident).steps.map((s) => [s.step, s.actor])).toEqual([
      ['verify', 'duty'],
      ['dispatch', 'commander'],
      ['handle', 't-env'],
      ['inspect', 'duty'],
      ['close', 'duty'],
    ]);
    // The record has every step and the history of every action.
    const rec = await as.duty.get(`/api/v1/cases/${c.id}`);
    expect(rec.status).toBe(200);
    expect(rec.body.steps).toHaveLength(5);
  });

  it('a rework round trip: a failed inspection goes back to the same department', async () => {
    const c = await newCase();
    await act(as.duty, c.id, { action: 'verify' });
    await act(as.duty, c.id, { action: 'dispatch' });
    await act(env, c.id, { action: 'handle', note: '已处理' });
    const r = await act(as.duty, c.id, { action: 'inspect', passed: false, note: '仍有垃圾' });
    expect(r.body).toMatchObject({ status: 'dispatched', departmentId: 'dept-sthjj' });
    expect((r.body as Incident).steps.map((s) => s.step)).toEqual(['verify', 'dispatch', 'handle', 'inspect', 'handle']);
    expect((await act(env, c.id, { action: 'handle', note: '返工完成' })).body.status).toBe('handled');
    expect((await act(as.duty, c.id, { action: 'inspect', passed: true })).body.status).toBe('inspected');
    expect((await act(as.duty, c.id, { action: 'close' })).body.status).toBe('closed');
  });

  it('answer, void, defer and resume, extend, escalate, dispatch to a named department', async () => {
    const q = await newCase();
    const a = await act(as.duty, q.id, { action: 'answer', text: '已电话答复市民' });
    expect(a.body).toMatchObject({ status: 'closed', answer: '已电话答复市民' });

    const v = await newCase();
    expect((await act(as.duty, v.id, { action: 'void', reason: '重复案卷' })).body.status).toBe('voided');

    const d = await newCase();
    await act(as.duty, d.id, { action: 'verify' });
    const def = await act(as.duty, d.id, { action: 'defer', reason: '需来年施工' });
    expect(def.body).toMatchObject({ status: 'deferred', deferredFrom: 'verified' });
    expect((await act(as.duty, d.id, { action: 'resume' })).body.status).toBe('verified');
    const x = await act(as.duty, d.id, { action: 'dispatch', departmentId: 'dept-cgw' });
    expect(x.body.departmentId).toBe('dept-cgw');
    const e = await act(otherDept, d.id, { action: 'extend', amount: 2, unit: 'work_days', reason: '需协调施工' });
    expect(e.status).toBe(200);
    expect((e.body as Incident).steps.at(-1)!.extension).toMatchObject({ amount: 2, unit: 'work_days' });
    const up = await act(as.duty, d.id, { action: 'escalate', reason: '社区无法解决' });
    // A point in no community starts at street level, in no street at district level (the top).
    if (d.level === 'district') expect(up.status).toBe(409);
    else expect(up.body.level).toBe(d.level === 'community' ? 'street' : 'district');
  });

  it('409 for an action the status does not allow, and nothing changes', async () => {
    const c = await newCase();
    const head = await srv.container.store.headSeq();
    expect((await act(as.duty, c.id, { action: 'close' })).status).toBe(409);
    expect((await act(as.duty, c.id, { action: 'resume' })).status).toBe(409);
    expect((await act(as.duty, c.id, { action: 'inspect', passed: true })).status).toBe(409);
    await act(as.duty, c.id, { action: 'verify' });
    const after = await srv.container.store.headSeq();
    expect(after).toBe(head + 1);
    await act(as.duty, c.id, { action: 'dispatch' });
    await act(env, c.id, { action: 'extend', amount: 1, unit: 'hours', reason: '一次' });
    expect((await act(env, c.id, { action: 'extend', amount: 1, unit: 'hours', reason: '两次' })).status).toBe(409);
    // Escalated to the top, no further.
    while ((await as.duty.get(`/api/v1/cases/${c.id}`)).body.level !== 'district')
      await act(as.duty, c.id, { action: 'escalate', reason: '上报' });
    expect((await act(as.duty, c.id, { action: 'escalate', reason: '再上报' })).status).toBe(409);
  });

  it('400 naming a bad body or an unknown department', async () => {
    const c = await newCase();
    expect((await act(as.duty, c.id, { action: 'nope' })).status).toBe(400);
    expect((await act(as.duty, c.id, { action: 'void' })).status).toBe(400);
    await act(as.duty, c.id, { action: 'verify' });
    const bad = await act(as.duty, c.id, { action: 'dispatch', departmentId: 'dept-nope' });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('departmentId');
  });

  it('403 for the wrong role, and nothing changes', async () => {
    const c = await newCase();
    await act(as.duty, c.id, { action: 'verify' });
    await act(as.duty, c.id, { action: 'dispatch' });
    const head = await srv.container.store.headSeq();
    expect((await act(as.duty, c.id, { action: 'handle', note: '代报' })).status).toBe(403);
    expect((await act(as.commander, c.id, { action: 'handle', note: '代报' })).status).toBe(403);
    expect((await act(as.liaison, c.id, { action: 'escalate', reason: 'x' })).status).toBe(403);
    expect((await act(as.admin, c.id, { action: 'escalate', reason: 'x' })).status).toBe(403);
    expect((await act(env, c.id, { action: 'close' })).status).toBe(403);
    expect((await act(env, c.id, { action: 'escalate', reason: 'x' })).status).toBe(403);
    expect(await srv.container.store.headSeq()).toBe(head);
  });

  it('the case’s sub-centre acts on it; another street’s and another department’s get 404', async () => {
    const c = await newCase();
    expect(c.streetId).not.toBeNull();
    const sub = await scopedUser(srv, 't-sub', { role: 'subcentre', streetId: c.streetId! });
    const far = await scopedUser(srv, 't-far', { role: 'subcentre', streetId: 'street-elsewhere' });
    expect((await act(far, c.id, { action: 'verify' })).status).toBe(404);
    expect((await far.get(`/api/v1/cases/${c.id}`)).status).toBe(404);
    expect((await sub.get(`/api/v1/cases/${c.id}`)).status).toBe(200);
    expect((await act(sub, c.id, { action: 'verify' })).status).toBe(200);
    expect((await act(sub, c.id, { action: 'dispatch' })).status).toBe(200);
    expect((await act(sub, c.id, { action: 'handle', note: 'x' })).status).toBe(403);
    // Dispatched to environment: the city management commission's operator does not see it.
    expect((await otherDept.get(`/api/v1/cases/${c.id}`)).status).toBe(404);
    expect((await act(otherDept, c.id, { action: 'handle', note: 'x' })).status).toBe(404);
    expect((await env.get(`/api/v1/cases/${c.id}`)).status).toBe(200);
    expect((await as.duty.get('/api/v1/cases/INC-nope')).status).toBe(404);
    expect((await act(as.duty, 'INC-nope', { action: 'verify' })).status).toBe(404);
  });

  it('the old PATCH is an alias: several steps in one commit, one event per action', async () => {
    const c = await newCase();
    const head = await srv.container.store.headSeq();
    const r = await as.duty.patch(`/api/v1/incidents/${c.id}`, { status: 'handled' });
    expect(r.status).toBe(200);
    expect((r.body as Incident).steps.map((s) => s.step)).toEqual(['verify', 'dispatch', 'handle', 'inspect']);
    expect(await srv.container.store.headSeq()).toBe(head + 3);
  });
});

describe('case rules and departments', () => {
  it('lists the departments', async () => {
    const r = await env.get('/api/v1/departments');
    expect(r.status).toBe(200);
    expect(r.body.find((d: { id: string }) => d.id === 'dept-sthjj')).toMatchObject({ kind: 'environment' });
  });

  it('PUT: 403 but for the admin, 400 naming each problem, 409 for a stale version, 200 a new version with its event', async () => {
    const cur = (await as.duty.get('/api/v1/case-rules')).body as CaseRules;
    const { updatedAt: _a, updatedBy: _b, ...doc } = cur;
    expect((await put(srv, as.duty, '/api/v1/case-rules', doc)).status).toBe(403);
    const bad = await put(srv, as.admin, '/api/v1/case-rules', {
      ...doc,
      routing: [...doc.routing.filter((r) => r.category !== 'flood'), { category: 'traffic', streetId: 'nowhere', departmentId: 'dept-x' }],
    });
    expect(bad.status).toBe(400);
    const paths = bad.body.issues.map((i: { path: string; message: string }) => `${i.path}: ${i.message}`);
    expect(paths.some((p: string) => p.includes('unknown department "dept-x"'))).toBe(true);
    expect(paths.some((p: string) => p.includes('unknown street "nowhere"'))).toBe(true);
    expect(paths.some((p: string) => p.includes('no district-wide route for flood'))).toBe(true);
    const ok = await put(srv, as.admin, '/api/v1/case-rules', { ...doc, note: '交通处置时限调整' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ version: cur.version + 1, updatedBy: 'admin', note: '交通处置时限调整' });
    expect((await put(srv, as.admin, '/api/v1/case-rules', doc)).status).toBe(409);
    const ev = await eventOf(srv, 'case_rules.changed', (d) => d.version === cur.version + 1);
    expect(ev.actor).toBe('admin');
    expect((ev.data as { id: string }).id).toBe('case-rules');
    // A new case gets the new version; the older version stays readable for the cases it holds.
    expect((await newCase()).rulesVersion).toBe(cur.version + 1);
    expect((await srv.container.caseRules.forVersion(cur.version)).rules.version).toBe(cur.version);
  });

  it('seeding again (another process, a restart) changes nothing', async () => {
    const head = await srv.container.store.headSeq();
    expect(await srv.container.caseRules.seed()).toBe(false);
    expect(await srv.container.store.headSeq()).toBe(head);
  });
});
