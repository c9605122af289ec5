import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AfterActionRecord } from '../../shared/after-action.ts';
import type { Incident, IncidentRecord } from '../../shared/incident.ts';
import type { Operation } from '../../shared/operation.ts';
import type { LiveEvent } from '../../shared/protocol.ts';
import type { Resource } from '../../shared/resource.ts';
import type { VideoAlert } from '../../shared/video-alert.ts';
import { taskOutcome } from './after-action.ts';
import { type Api, loginAll, reportIncident, snapshot, until } from '../testing/command-helpers.ts';
import { INTAKE_KEY, postJson, startTestServer, type TestServer } from '../testing/harness.ts';
import { RecordingClient } from '../testing/live-client.ts';

let srv: TestServer;
let as: Awaited<ReturnType<typeof loginAll>>;
let feed: RecordingClient;

beforeAll(async () => {
  srv = await startTestServer();
  as = await loginAll(srv.url);
  feed = new RecordingClient(srv.url, as.commander.cookie, 0);
  await feed.connected();
});
afterAll(async () => {
  feed?.close();
  await srv?.close();
});

const eventsOf = (pred: (e: LiveEvent) => boolean) => feed.events.filter(pred);
const resource = async (api: Api, id: string) => (await snapshot(api)).resources.find((r) => r.id === id)!;

describe('plan activation → dispatch → tasks → reports → stand-down', () => {
  let incident: Incident;
  let opId: string;
  let op: Operation;

  it('ranks the fitting plans for an incident, best first', async () => {
    incident = await reportIncident(srv.url, as.commander, {
      category: 'gas_leak',
      title: '燃气管道破裂 <b>泄漏</b>',
      severity: 3,
    });
    const res = await as.duty.get(`/api/v1/incidents/${incident.id}/plans`);
    expect(res.status).toBe(200);
    expect(res.body[0]).toMatchObject({ id: 'plan-gas-leak', fits: true });
    expect(res.body.filter((p: { fits: boolean }) => p.fits)).toHaveLength(1);
  });

  it('activates in one commit: operation, incident, wartime; the feed shows it within a second', async () => {
    const before = await snapshot(as.commander);
    expect(before.mode.state).toBe('peacetime');
    const t0 = Date.now();
    const res = await as.commander.post('/api/v1/operations', {
      planId: 'plan-gas-leak',
      incidentId: incident.id,
    });
    expect(res.status).toBe(201);
    opId = res.body.id;
    const modeEv = await until(
      async () => eventsOf((e) => e.type === 'mode.changed' && e.data.operationIds.includes(opId))[0],
      1000,
    );
    expect(Date.now() - t0).toBeLessThan(1000);
    const activated = eventsOf((e) => e.type === 'operation.activated' && e.data.id === opId)[0];
    const incEv = eventsOf(
      (e) => e.type === 'incident.updated' && e.data.id === incident.id && e.data.operationIds.includes(opId),
    )[0];
    // One commit: three consecutive seqs, one timestamp, one actor.
    expect([incEv.seq, modeEv.seq]).toEqual([activated.seq + 1, activated.seq + 2]);
    expect(new Set([activated.at, incEv.at, modeEv.at]).size).toBe(1);
    expect(modeEv).toMatchObject({
      actor: 'commander',
      data: { id: 'mode', state: 'wartime', actor: 'commander' },
    });

    op = (await as.duty.get(`/api/v1/operations/${opId}`)).body;
    expect(op).toMatchObject({
      status: 'active',
      planId: 'plan-gas-leak',
      incidentId: incident.id,
      level: 3,
      activatedBy: 'commander',
    });
    expect(op.tasks.map((t) => t.id)).toEqual([
      'gas-1',
      'gas-2',
      'gas-3',
      'gas-4',
      'gas-5',
      'gas-6',
      'gas-7',
    ]);
    expect(Date.parse(op.tasks[0].dueAt) - Date.parse(op.activatedAt)).toBe(5 * 60_000);
    expect(op.tasks.every((t) => t.status === 'pending' && !t.overdue)).toBe(true);

    // Proposals: per need, the nearest available resources of the type.
    const snap = await snapshot(as.commander);
    expect(snap.mode).toMatchObject({ state: 'wartime', operationIds: [opId] });
    expect(snap.seq).toBe(before.seq + 3);
    const counts = Object.fromEntries(
      ['gas_crew', 'fire_engine', 'police_unit', 'ambulance'].map((t) => [
        t,
        op.proposals.filter((p) => p.type === t).length,
      ]),
    );
    expect(counts).toEqual({ gas_crew: 2, fire_engine: 2, police_unit: 2, ambulance: 1 });
    const { distanceM } = await import('../../shared/common.ts');
    for (const type of ['gas_crew', 'fire_engine'] as const) {
      const nearest = snap.resources
        .filter((r) => r.type === type && r.status === 'available')
        .map((r) => ({ id: r.id, d: distanceM(r.location, incident.location) }))
        .sort((a, b) => a.d - b.d || a.id.localeCompare(b.id))
        .slice(0, 2)
        .map((x) => x.id);
      expect(op.proposals.filter((p) => p.type === type).map((p) => p.resourceId)).toEqual(nearest);
    }
    const p = op.proposals[0];
    expect(p.etaMin).toBeCloseTo((p.distanceM / 1000 / 30) * 60, 0);
  });

  it('refuses unknown plans and incidents (404) and a second operation on one incident (409)', async () => {
    const seq = (await snapshot(as.commander)).seq;
    expect(
      (await as.commander.post('/api/v1/operations', { planId: 'nope', incidentId: incident.id })).status,
    ).toBe(404);
    expect(
      (await as.commander.post('/api/v1/operations', { planId: 'plan-gas-leak', incidentId: 'INC-nope' }))
        .status,
    ).toBe(404);
    expect(
      (await as.commander.post('/api/v1/operations', { planId: 'plan-fire', incidentId: incident.id }))
        .status,
    ).toBe(409);
    expect((await as.commander.post('/api/v1/operations', { planId: 'plan-gas-leak' })).status).toBe(400);
    expect((await snapshot(as.commander)).seq).toBe(seq);
  });

  it('will not switch to peacetime while an operation runs, nor to the mode already in force', async () => {
    const seq = (await snapshot(as.commander)).seq;
    const r1 = await as.commander.post('/api/v1/mode', { state: 'peacetime', reason: '测试' });
    expect(r1.status).toBe(409);
    expect(r1.body.message).toMatch(/stand down the operations first/);
    expect((await as.commander.post('/api/v1/mode', { state: 'wartime', reason: '测试' })).status).toBe(409);
    expect((await as.commander.post('/api/v1/mode', { state: 'wartime' })).status).toBe(400);
    expect((await snapshot(as.commander)).seq).toBe(seq);
  });

  it('dispatches a proposed resource; an unavailable one is 409 and changes nothing', async () => {
    const ids = op.proposals.map((p) => p.resourceId);
    for (const rid of ids.slice(0, 3)) {
      const res = await as.commander.post('/api/v1/dispatches', { resourceId: rid, incidentId: incident.id });
      expect(res.status).toBe(201);
      expect(res.body.id).toMatch(/^DSP-/);
    }
    const r = await resource(as.commander, ids[0]);
    expect(r).toMatchObject({ status: 'dispatched', incidentId: incident.id, operationId: opId });
    const dispatchEv = await until(
      async () => eventsOf((e) => e.type === 'dispatch.created' && e.data.resourceId === ids[0])[0],
    );
    expect(r.dispatchId).toBe(dispatchEv.data.id);
    expect(dispatchEv.data).toMatchObject({ operationId: opId, actor: 'commander' });
    const cur = (await as.commander.get(`/api/v1/operations/${opId}`)).body as Operation;
    expect(cur.resourceIds).toEqual(ids.slice(0, 3));

    const seq = (await snapshot(as.commander)).seq;
    const again = await as.commander.post('/api/v1/dispatches', {
      resourceId: ids[0],
      incidentId: incident.id,
    });
    expect(again.status).toBe(409);
    expect(
      (await as.commander.post('/api/v1/dispatches', { resourceId: 'nope', incidentId: incident.id })).status,
    ).toBe(404);
    expect(
      (await as.commander.post('/api/v1/dispatches', { resourceId: ids[3], incidentId: 'INC-nope' })).status,
    ).toBe(404);
    const after = await snapshot(as.commander);
    expect(after.seq).toBe(seq);
    expect(after.resources.find((x) => x.id === ids[0])).toEqual(r);
  });

  it('moves a resource along its lifecycle; invalid transitions are 409 and change nothing', async () => {
    const rid = op.proposals[0].resourceId;
    const seq = (await snapshot(as.commander)).seq;
    for (const status of ['on_scene', 'available', 'dispatched', 'sideways']) {
      const res = await as.liaison.patch(`/api/v1/resources/${rid}`, { status });
      expect(res.status, status).toBe(status === 'sideways' ? 400 : 409);
    }
    expect((await snapshot(as.commander)).seq).toBe(seq);
    expect((await as.liaison.patch('/api/v1/resources/nope', { status: 'en_route' })).status).toBe(404);

    const here = { lng: incident.location.lng + 0.001, lat: incident.location.lat };
    expect((await as.liaison.patch(`/api/v1/resources/${rid}`, { status: 'en_route' })).status).toBe(200);
    // On the way: the same status with a new position moves it; without one it is no change, 409.
    const halfway = { lng: incident.location.lng + 0.01, lat: incident.location.lat };
    const moved = await as.liaison.patch(`/api/v1/resources/${rid}`, {
      status: 'en_route',
      location: halfway,
    });
    expect(moved.status).toBe(200);
    expect(moved.body.location).toEqual(halfway);
    expect((await as.liaison.patch(`/api/v1/resources/${rid}`, { status: 'en_route' })).status).toBe(409);
    const onScene = await as.commander.patch(`/api/v1/resources/${rid}`, {
      status: 'on_scene',
      location: here,
    });
    expect(onScene.status).toBe(200);
    expect(onScene.body).toMatchObject({ status: 'on_scene', location: here, operationId: opId });
    const upd = await until(
      async () =>
        eventsOf(
          (e) => e.type === 'resource.updated' && e.data.id === rid && e.data.status === 'on_scene',
        )[0],
    );
    expect(upd.actor).toBe('commander');
  });

  it('updates tasks: task.updated and operation.updated, doneAt when done', async () => {
    const r1 = await as.liaison.patch(`/api/v1/operations/${opId}/tasks/gas-1`, {
      status: 'in_progress',
      note: '正在关阀',
    });
    expect(r1.status).toBe(200);
    expect(r1.body).toMatchObject({
      id: 'gas-1',
      status: 'in_progress',
      note: '正在关阀',
      updatedBy: 'liaison',
      doneAt: null,
    });
    const r2 = await as.commander.patch(`/api/v1/operations/${opId}/tasks/gas-1`, { status: 'done' });
    expect(r2.body.status).toBe('done');
    expect(r2.body.doneAt).toBeTruthy();
    await until(
      async () =>
        eventsOf(
          (e) => e.type === 'task.updated' && e.data.operationId === opId && e.data.status === 'done',
        )[0],
    );
    const ev = eventsOf((e) => e.type === 'task.updated' && e.data.status === 'done')[0];
    const opEv = feed.events.find((e) => e.seq === ev.seq + 1)!;
    expect(opEv.type).toBe('operation.updated');
    expect((opEv.data as Operation).tasks.find((t) => t.id === 'gas-1')!.status).toBe('done');
    expect(
      (await as.liaison.patch(`/api/v1/operations/${opId}/tasks/gas-99`, { status: 'done' })).status,
    ).toBe(404);
    expect(
      (await as.liaison.patch(`/api/v1/operations/OP-nope/tasks/gas-1`, { status: 'done' })).status,
    ).toBe(404);
    expect(
      (await as.liaison.patch(`/api/v1/operations/${opId}/tasks/gas-2`, { status: 'finished' })).status,
    ).toBe(400);
    expect(
      (
        await as.liaison.patch(`/api/v1/operations/${opId}/tasks/gas-2`, {
          status: 'blocked',
          note: '道路封闭',
        })
      ).status,
    ).toBe(200);
  });

  it('files field reports into the incident history', async () => {
    const res = await as.liaison.post(`/api/v1/incidents/${incident.id}/reports`, {
      text: '现场<script>alert(1)</script>已疏散 30 人',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      incidentId: incident.id,
      actor: 'liaison',
      text: '现场<script>alert(1)</script>已疏散 30 人',
    });
    await until(async () => eventsOf((e) => e.type === 'report.created' && e.data.id === res.body.id)[0]);
    const inc = (await as.duty.get(`/api/v1/incidents/${incident.id}`)).body as IncidentRecord;
    expect(inc.history.at(-1)).toMatchObject({ action: 'field_report', actor: 'liaison' });
    const list = await as.duty.get(`/api/v1/incidents/${incident.id}/reports`);
    expect(list.body.map((r: { id: string }) => r.id)).toEqual([res.body.id]);
    expect((await as.liaison.post(`/api/v1/incidents/INC-nope/reports`, { text: 'x' })).status).toBe(404);
    expect((await as.liaison.post(`/api/v1/incidents/${incident.id}/reports`, { text: '   ' })).status).toBe(
      400,
    );
  });

  it('stands down: resources return, peacetime, one commit ending with operation.stood_down', async () => {
    const before = await snapshot(as.commander);
    const out = before.resources.filter((r) => r.operationId === opId);
    expect(out.length).toBe(3);
    const res = await as.commander.post(`/api/v1/operations/${opId}/stand-down`, {
      summary: '处置完毕 <img src=x onerror=alert(1)>',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'stood_down', stoodDownBy: 'commander' });
    const done = await until(
      async () => eventsOf((e) => e.type === 'operation.stood_down' && e.data.id === opId)[0],
    );
    const commit = feed.events.filter((e) => e.at === done.at && e.seq > before.seq && e.seq <= done.seq);
    expect(commit.map((e) => e.type)).toEqual([
      'incident.updated',
      ...out.map(() => 'resource.updated'),
      'mode.changed',
      'operation.stood_down',
    ]);
    const snap = await snapshot(as.commander);
    expect(snap.mode).toMatchObject({ state: 'peacetime', operationIds: [] });
    for (const r of out) expect(snap.resources.find((x) => x.id === r.id)!.status).toBe('returning');

    const seq = snap.seq;
    expect((await as.commander.post(`/api/v1/operations/${opId}/stand-down`, {})).status).toBe(409);
    expect(
      (await as.liaison.patch(`/api/v1/operations/${opId}/tasks/gas-3`, { status: 'done' })).status,
    ).toBe(409);
    expect((await snapshot(as.commander)).seq).toBe(seq);

    // Home again: the assignment is dropped and the position is home unless given.
    const back = await as.liaison.patch(`/api/v1/resources/${out[0].id}`, { status: 'available' });
    expect(back.body).toMatchObject({
      status: 'available',
      incidentId: null,
      operationId: null,
      dispatchId: null,
      location: out[0].home,
    });
  });

  it('produces an after-action record whose figures match its timeline', async () => {
    const res = await as.duty.get(`/api/v1/operations/${opId}/after-action`);
    expect(res.status).toBe(200);
    const rec = res.body as AfterActionRecord;
    const tl = rec.timeline;
    expect(tl[0].type).toBe('operation.activated');
    expect(tl.at(-1)!.type).toBe('operation.stood_down');
    // Every event of the operation the feed saw is in the record, in order, and nothing else.
    const first = tl[0].seq;
    const last = tl.at(-1)!.seq;
    const mine = feed.events.filter((e) => {
      if (e.seq < first || e.seq > last) return false;
      const d = e.data as Record<string, unknown>;
      return (
        d.id === opId ||
        d.operationId === opId ||
        d.id === incident.id ||
        d.incidentId === incident.id ||
        e.type === 'mode.changed' ||
        (e.type === 'resource.updated' && op.proposals.slice(0, 3).some((p) => p.resourceId === d.id))
      );
    });
    expect(tl.map((e) => e.seq)).toEqual(mine.map((e) => e.seq));

    // Figures recomputed from the timeline.
    expect(rec.durationMin).toBeCloseTo((Date.parse(tl.at(-1)!.at) - Date.parse(tl[0].at)) / 60_000, 1);
    const lastTask = new Map<string, { status: string; doneAt: string | null; dueAt: string }>();
    for (const t of (tl[0].data as Operation).tasks) lastTask.set(t.id, t);
    for (const e of tl) if (e.type === 'task.updated') lastTask.set(e.data.id as string, e.data as never);
    const outcomes = [...lastTask.values()].map((t) => taskOutcome(t as never));
    expect(rec.tasks).toMatchObject({
      total: 7,
      onTime: outcomes.filter((o) => o === 'on_time').length,
      late: outcomes.filter((o) => o === 'late').length,
      notDone: outcomes.filter((o) => o === 'not_done').length,
    });
    expect(rec.tasks.onTime).toBe(1);
    expect(rec.tasks.items.find((t) => t.id === 'gas-2')!.status).toBe('blocked');
    const dispatches = tl.filter((e) => e.type === 'dispatch.created');
    expect(rec.resources.count).toBe(3);
    for (const d of dispatches) {
      const item = rec.resources.items.find((i) => i.dispatchId === d.data.id)!;
      const release = tl.find(
        (e) =>
          e.seq > d.seq &&
          e.type === 'resource.updated' &&
          e.data.id === d.data.resourceId &&
          e.data.status === 'returning',
      )!;
      expect(item).toMatchObject({ dispatchedAt: d.at, releasedAt: release.at, releasedAs: 'returning' });
      expect(item.durationMin).toBeCloseTo((Date.parse(release.at) - Date.parse(d.at)) / 60_000, 1);
    }
    expect(rec.reportCount).toBe(tl.filter((e) => e.type === 'report.created').length);
    expect(rec.reportCount).toBe(1);
    // People by display name beside the accounts (GET /api/v1/people's names), in JSON and print.
    expect(rec).toMatchObject({ activatedBy: 'commander', activatedByName: '指挥长 李强' });
    expect(rec.stoodDownByName).toBe('指挥长 李强');
    const byCommander = tl.filter((e) => e.actor === 'commander');
    expect(byCommander.length).toBeGreaterThan(0);
    expect(byCommander.every((e) => e.actorName === '指挥长 李强')).toBe(true);
    expect(tl.find((e) => e.type === 'report.created')?.actorName).toBe('联络员 张伟');

    const html = await as.duty.get(`/api/v1/operations/${opId}/after-action.html`);
    expect(html.body).toContain('指挥长 李强');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(html.body).not.toMatch(/<script>|<img|<b>/);
    expect(html.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect((await as.duty.get(`/api/v1/operations/OP-nope/after-action`)).status).toBe(404);
  });
});

describe('video alert review', () => {
  const postAlert = async (type: string, cameraId: string) => {
    const res = await postJson(
      `${srv.url}/api/v1/video-alerts`,
      { cameraId, type, confidence: 0.9 },
      { authorization: `Bearer ${INTAKE_KEY}` },
    );
    expect(res.status).toBe(202);
    return until(async () => (await snapshot(as.duty)).videoAlerts.find((a) => a.id === res.body.id));
  };

  it('confirm opens an incident from an unlinked alert; dismiss closes the review; twice is 409', async () => {
    const cams = (await as.duty.get('/api/v1/cameras')).body as { id: string }[];
    const a = await postAlert('illegal_dumping', cams[10].id);
    expect(a.incidentId).toBeNull();
    const res = await as.duty.post(`/api/v1/video-alerts/${a.id}/confirm`);
    expect(res.status).toBe(200);
    const alert = res.body as VideoAlert;
    expect(alert).toMatchObject({ status: 'confirmed', actor: 'duty' });
    const inc = (await as.duty.get(`/api/v1/incidents/${alert.incidentId}`)).body as Incident;
    expect(inc).toMatchObject({
      source: 'video',
      kind: 'case',
      category: 'environment',
      location: a.location,
      locationLabel: a.locationLabel,
      videoAlertIds: [a.id],
    });
    const ev = await until(
      async () => eventsOf((e) => e.type === 'video_alert.updated' && e.data.id === a.id)[0],
    );
    expect(feed.events.find((e) => e.seq === ev.seq + 1)).toMatchObject({
      type: 'incident.created',
      data: { id: inc.id },
    });

    const seq = (await snapshot(as.duty)).seq;
    expect((await as.commander.post(`/api/v1/video-alerts/${a.id}/confirm`)).status).toBe(409);
    expect((await as.commander.post(`/api/v1/video-alerts/${a.id}/dismiss`)).status).toBe(409);
    expect((await snapshot(as.duty)).seq).toBe(seq);

    const b = await postAlert('other', cams[20].id);
    const d = await as.commander.post(`/api/v1/video-alerts/${b.id}/dismiss`);
    expect(d.body).toMatchObject({ status: 'dismissed', actor: 'commander', incidentId: null });
    expect((await as.duty.post(`/api/v1/video-alerts/${b.id}/dismiss`)).status).toBe(409);
    expect((await as.duty.post(`/api/v1/video-alerts/VA-nope/confirm`)).status).toBe(404);
  });
});

describe('manual mode switch and concurrency', () => {
  it('switches by hand with actor and reason', async () => {
    const res = await as.commander.post('/api/v1/mode', { state: 'wartime', reason: '暴雨红色预警' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      state: 'wartime',
      reason: '暴雨红色预警',
      actor: 'commander',
      operationIds: [],
    });
    const ev = await until(
      async () => eventsOf((e) => e.type === 'mode.changed' && e.data.reason === '暴雨红色预警')[0],
    );
    expect(ev.actor).toBe('commander');
    const back = await as.commander.post('/api/v1/mode', { state: 'peacetime', reason: '预警解除' });
    expect(back.body.state).toBe('peacetime');
  });

  it('two commanders dispatching one resource at once: exactly one wins', async () => {
    const other = (await import('../testing/harness.ts')).login;
    const second = (await import('../testing/command-helpers.ts')).apiAs(
      srv.url,
      await other(srv.url, 'commander'),
    );
    const incident = await reportIncident(srv.url, as.commander, { category: 'traffic' });
    const free = (await snapshot(as.commander)).resources.filter((r) => r.status === 'available').slice(0, 5);
    for (const r of free) {
      const before = (await snapshot(as.commander)).seq;
      const [a, b] = await Promise.all([
        as.commander.post('/api/v1/dispatches', { resourceId: r.id, incidentId: incident.id }),
        second.post('/api/v1/dispatches', { resourceId: r.id, incidentId: incident.id }),
      ]);
      expect([a.status, b.status].sort()).toEqual([201, 409]);
      const snap = await snapshot(as.commander);
      // Exactly one dispatch.created + resource.updated pair (no operation on this incident).
      expect(snap.seq).toBe(before + 2);
      const winner = (a.status === 201 ? a : b).body.id;
      expect(snap.resources.find((x) => x.id === r.id) as Resource).toMatchObject({
        status: 'dispatched',
        dispatchId: winner,
      });
    }
  });
});

describe('audit', () => {
  it('pages newest first with filters; only admin and commander may read it', async () => {
    const all = await as.admin.get('/api/v1/audit?limit=500');
    expect(all.status).toBe(200);
    const seqs = (all.body.events as LiveEvent[]).map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const head = (await snapshot(as.admin)).seq;
    expect(seqs[0]).toBe(head);

    // Paging: pages of 7 join up to the full list with no gap or repeat.
    const paged: number[] = [];
    let before: number | null = null;
    do {
      const q: string = before === null ? '' : `&before=${before}`;
      const page: { status: number; body: { events: LiveEvent[]; nextBefore: number | null } } =
        await as.commander.get(`/api/v1/audit?limit=7${q}`);
      paged.push(...page.body.events.map((e) => e.seq));
      before = page.body.nextBefore;
    } while (before !== null);
    expect(paged).toEqual(seqs);

    const byLiaison = (await as.admin.get('/api/v1/audit?actor=liaison')).body.events as LiveEvent[];
    expect(byLiaison.length).toBeGreaterThan(0);
    expect(byLiaison.every((e) => e.actor === 'liaison')).toBe(true);
    const modes = (await as.admin.get('/api/v1/audit?type=mode.changed,operation.activated')).body
      .events as LiveEvent[];
    expect(new Set(modes.map((e) => e.type))).toEqual(new Set(['mode.changed', 'operation.activated']));
    const all2 = all.body.events as LiveEvent[];
    const mid = all2[Math.floor(all2.length / 2)];
    const older = (await as.admin.get(`/api/v1/audit?to=${encodeURIComponent(mid.at)}&limit=500`)).body
      .events as LiveEvent[];
    expect(older.every((e) => e.at <= mid.at)).toBe(true);
    expect(older.map((e) => e.seq)).toContain(mid.seq);
    const newer = (await as.admin.get(`/api/v1/audit?from=${encodeURIComponent(mid.at)}&limit=500`)).body
      .events as LiveEvent[];
    expect(newer.every((e) => e.at >= mid.at)).toBe(true);
    expect((await as.admin.get('/api/v1/audit?type=nope')).status).toBe(400);
    expect((await as.liaison.get('/api/v1/audit')).status).toBe(403);
    expect((await as.duty.get('/api/v1/audit')).status).toBe(403);
  });
});
