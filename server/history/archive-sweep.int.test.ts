import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperatorRole } from '../../shared/common.ts';
import type { LiveEvent } from '../../shared/protocol.ts';
import { versionKey } from '../log/event-store.ts';
import { loginAll, reportIncident, snapshot, until, type Api } from '../testing/command-helpers.ts';
import {
  postAccepted,
  postJson,
  startTestServer,
  waitForPipelineIdle,
  waitForProjection,
  type TestServer,
} from '../testing/harness.ts';
import { RecordingClient } from '../testing/live-client.ts';
import { caseReport, postgresPids } from '../testing/postgres.ts';

const archivedIds = (events: LiveEvent[], type: string) =>
  events.filter((e) => e.type === type).map((e) => (e.data as { id: string }).id);

/** Until an incident exists in the working set (the pipeline committed it). */
async function held(s: TestServer, id: string) {
  await until(async () => (await s.container.state.getIncident(id)) ?? null);
}

describe('the archive sweep (ARCHIVE_AFTER_MS=0)', () => {
  let s: TestServer;
  let as: Record<OperatorRole, Api>;
  let feed: RecordingClient;
  beforeAll(async () => {
    s = await startTestServer({ env: { ARCHIVE_AFTER_MS: '0', ARCHIVE_EVERY_MS: '200' } });
    as = await loginAll(s.url);
    feed = new RecordingClient(s.url, as.duty.cookie, await s.container.store.headSeq());
    await feed.connected();
  });
  afterAll(async () => {
    feed?.close();
    await s?.close();
  });

  it('moves closed cases, finished alerts and stood-down operations out of Redis, by events', async () => {
    const r = s.container.redis;
    const k = s.container.keys;
    // A case from a sender's externalId, a second report merged into it, a field report.
    const body = caseReport('arch', 1);
    const caseId = (await postAccepted(`${s.url}/api/v1/incidents`, body)).body.id as string;
    await held(s, caseId);
    const dup = caseReport('arch', 1, { externalId: 'arch-1-again' });
    const dupId = (await postAccepted(`${s.url}/api/v1/incidents`, dup)).body.id as string;
    await until(async () => ((await s.container.state.getIncident(caseId))?.reportCount ?? 0) >= 2);
    expect(await s.container.state.resolveIncidentId(dupId)).toBe(caseId);
    const report = await as.liaison.post(`/api/v1/incidents/${caseId}/reports`, { text: '现场已处理' });
    expect(report.status).toBe(201);

    // A camera alert, dismissed.
    const cam = s.container.cameras[3];
    const alertRes = await postJson(`${s.url}/api/v1/video-alerts`, {
      cameraId: cam.id,
      type: 'other',
      confidence: 0.7,
      externalId: 'arch-cam-1',
    });
    expect(alertRes.status).toBe(202);
    const alertId = alertRes.body.id as string;
    await until(async () => (await s.container.state.getVideoAlert(alertId)) ?? null);

    // An operation with a dispatch, stood down; its incident stays open (and in Redis).
    const opInc = await reportIncident(s.url, as.commander, { category: 'gas_leak' });
    const op = await as.commander.post('/api/v1/operations', {
      planId: 'plan-gas-leak',
      incidentId: opInc.id,
    });
    expect(op.status).toBe(201);
    const free = (await snapshot(as.commander)).resources.find((x) => x.status === 'available')!;
    const dsp = await as.commander.post('/api/v1/dispatches', { resourceId: free.id, incidentId: opInc.id });
    expect(dsp.status).toBe(201);
    const opBefore = await as.commander.get(`/api/v1/operations/${op.body.id}`);
    const taskId = opBefore.body.tasks[0].id as string;
    expect(await r.hexists(k.dispatches, dsp.body.id)).toBe(1);

    // The merged report sent again once its idempotency key expired: still one report counted.
    await r.del(`${k.done}:intake:${dupId}`);
    await s.container.queue.remove(dupId);
    await waitForPipelineIdle(s);
    const head0 = await s.container.store.headSeq();
    await postAccepted(`${s.url}/api/v1/incidents`, dup);
    await waitForPipelineIdle(s);
    expect(await s.container.store.headSeq()).toBe(head0);
    expect((await s.container.state.getIncident(caseId))!.reportCount).toBe(2);

    // Nothing archived while it is live.
    const sizes0 = await s.container.state.hotSetSizes();
    expect(archivedIds(feed.events, 'incident.archived')).not.toContain(caseId);

    expect((await as.commander.patch(`/api/v1/incidents/${caseId}`, { status: 'closed' })).status).toBe(200);
    expect((await as.duty.post(`/api/v1/video-alerts/${alertId}/dismiss`)).status).toBe(200);
    expect((await as.commander.post(`/api/v1/operations/${op.body.id}/stand-down`, {})).status).toBe(200);

    // The events arrive on a console's socket …
    await until(async () => {
      const has = (t: string, id: string) => archivedIds(feed.events, t).includes(id);
      return (
        has('incident.archived', caseId) &&
        has('video_alert.archived', alertId) &&
        has('operation.archived', op.body.id)
      );
    });
    const ev = feed.events.find((e) => e.type === 'incident.archived')!;
    expect(ev).toMatchObject({ actor: 'system:archive', data: { id: caseId } });

    // … the snapshot no longer holds them …
    const snap = await snapshot(as.duty);
    expect(snap.incidents.map((i) => i.id)).not.toContain(caseId);
    expect(snap.incidents.map((i) => i.id)).toContain(opInc.id); // open: stays
    expect(snap.videoAlerts.map((a) => a.id)).not.toContain(alertId);
    expect(snap.operations.map((o) => o.id)).not.toContain(op.body.id);

    // … and Redis let go of them and what went with them; tombstones keep the re-sendable ids.
    expect(await r.hexists(k.incidents, caseId)).toBe(0);
    expect(await r.hexists(versionKey(k.incidents), caseId)).toBe(0);
    expect(await r.hexists(k.reports, report.body.id)).toBe(0);
    expect(await r.hexists(k.aliases, dupId)).toBe(0);
    expect(await r.hexists(k.videoAlerts, alertId)).toBe(0);
    expect(await r.hexists(k.operations, op.body.id)).toBe(0);
    expect(await r.hexists(k.dispatches, dsp.body.id)).toBe(0);
    expect(await r.hgetall(k.tombstones)).toEqual({
      [caseId]: JSON.stringify(caseId),
      [dupId]: JSON.stringify(caseId),
      [alertId]: JSON.stringify(alertId),
    });
    const sizes = await s.container.state.hotSetSizes();
    expect(sizes.incidents).toBe(sizes0.incidents - 1);
    expect(sizes.videoAlerts).toBe(sizes0.videoAlerts - 1);
    expect(sizes.operations).toBe(sizes0.operations - 1);
    expect(sizes.aliases).toBe(sizes0.aliases - 1);
    expect(sizes.reports).toBe(sizes0.reports - 1);
    expect(sizes.dispatches).toBe(sizes0.dispatches - 1);
    expect(sizes.tombstones).toBe(3);
    const status = await as.duty.get('/api/v1/status');
    expect(status.body.hotSet).toEqual(sizes);

    // Commands on archived items answer as on the finished ones; unknown ids stay 404.
    expect((await as.commander.patch(`/api/v1/incidents/${caseId}`, { status: 'closed' })).status).toBe(409);
    expect((await as.commander.patch(`/api/v1/incidents/${dupId}`, { status: 'closed' })).status).toBe(409);
    expect((await as.liaison.post(`/api/v1/incidents/${caseId}/reports`, { text: '再报' })).status).toBe(409);
    expect((await as.liaison.post(`/api/v1/incidents/${dupId}/reports`, { text: '再报' })).status).toBe(409);
    const busy = (await snapshot(as.commander)).resources.find((x) => x.status === 'available')!;
    expect(
      (await as.commander.post('/api/v1/dispatches', { resourceId: busy.id, incidentId: caseId })).status,
    ).toBe(409);
    expect(
      (await as.commander.post('/api/v1/operations', { planId: 'plan-gas-leak', incidentId: caseId })).status,
    ).toBe(409);
    expect((await as.duty.post(`/api/v1/video-alerts/${alertId}/confirm`)).status).toBe(409);
    expect((await as.duty.post(`/api/v1/video-alerts/${alertId}/dismiss`)).status).toBe(409);
    expect((await as.commander.post(`/api/v1/operations/${op.body.id}/stand-down`, {})).status).toBe(409);
    expect(
      (await as.commander.patch(`/api/v1/operations/${op.body.id}/tasks/${taskId}`, { status: 'done' }))
        .status,
    ).toBe(409);
    expect((await as.commander.get(`/api/v1/operations/${op.body.id}`)).body.status).toBe('stood_down');
    expect((await as.commander.patch('/api/v1/incidents/INC-nope', { status: 'closed' })).status).toBe(404);
    expect((await as.liaison.post('/api/v1/incidents/INC-nope/reports', { text: 'x' })).status).toBe(404);
    expect((await as.duty.post('/api/v1/video-alerts/VA-nope/confirm')).status).toBe(404);
    expect((await as.commander.post('/api/v1/operations/OP-nope/stand-down', {})).status).toBe(404);

    // The sender re-sends both reports after their idempotency keys expired (7 days) and the
    // queue forgot the jobs: the same ids, and no new incident, no merge, no event at all.
    for (const id of [caseId, dupId]) {
      await r.del(`${k.done}:intake:${id}`);
      await s.container.queue.remove(id);
    }
    await waitForPipelineIdle(s);
    const head = await s.container.store.headSeq();
    expect((await postAccepted(`${s.url}/api/v1/incidents`, body)).body.id).toBe(caseId);
    expect((await postAccepted(`${s.url}/api/v1/incidents`, dup)).body.id).toBe(dupId);
    await r.del(`${k.done}:intake:${alertId}`);
    await s.container.queue.remove(alertId);
    const again = await postJson(`${s.url}/api/v1/video-alerts`, {
      cameraId: cam.id,
      type: 'other',
      confidence: 0.7,
      externalId: 'arch-cam-1',
    });
    expect(again.body.id).toBe(alertId);
    await waitForPipelineIdle(s);
    expect(await s.container.store.headSeq()).toBe(head);
    expect(await r.hexists(k.incidents, caseId)).toBe(0);
    expect(await r.hexists(k.videoAlerts, alertId)).toBe(0);
    expect(
      feed.events.filter((e) => e.type === 'incident.created' && (e.data as { id: string }).id === caseId),
    ).toHaveLength(1);
  });

  it('moves voided cases out too (作废 ends a case as 结案 does), and their record still answers', async () => {
    const id = (await postAccepted(`${s.url}/api/v1/incidents`, caseReport('arch-void', 1))).body
      .id as string;
    await held(s, id);
    const voided = await as.duty.post(`/api/v1/cases/${id}/actions`, { action: 'void', reason: '重复上报' });
    expect(voided.status).toBe(200);
    await until(async () => archivedIds(feed.events, 'incident.archived').includes(id) || null);
    expect(await s.container.redis.hexists(s.container.keys.incidents, id)).toBe(0);
    expect((await snapshot(as.duty)).incidents.map((i) => i.id)).not.toContain(id);
    const rec = await as.duty.get(`/api/v1/cases/${id}`);
    expect(rec.status).toBe(200);
    expect(rec.body).toMatchObject({ id, status: 'voided' });
    // Ended for good: no action brings it back.
    expect((await as.duty.post(`/api/v1/cases/${id}/actions`, { action: 'verify' })).status).toBe(409);
  });

  it('archives nothing while the database does not answer, and catches up once it does', async () => {
    const k = s.container.keys;
    const inc = await reportIncident(s.url, as.duty, { category: 'environment' });
    await waitForProjection(s, await s.container.store.headSeq());
    const frozen = postgresPids(s.testPostgres!.supervisor.pgdata);
    for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    try {
      expect((await as.duty.patch(`/api/v1/incidents/${inc.id}`, { status: 'closed' })).status).toBe(200);
      // A sweep meanwhile (and the scheduled ones): the database cannot say it holds the
      // closed version, so the case stays.
      const res = await s.container.archive.sweep();
      expect(res.outcome).toMatch(/^history_(unavailable|behind)$/);
      expect(res.incidents).toBe(0);
      expect(await s.container.redis.hexists(k.incidents, inc.id)).toBe(1);
      expect(archivedIds(feed.events, 'incident.archived')).not.toContain(inc.id);
      expect((await snapshot(as.duty)).incidents.map((i) => i.id)).toContain(inc.id);
      // A command on an item only the database knows: 503, never 500 (and never a wrong 404).
      const gone = await as.duty.patch('/api/v1/incidents/INC-only-in-db', { status: 'closed' });
      expect(gone.status).toBe(503);
    } finally {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
    }
    await until(async () => archivedIds(feed.events, 'incident.archived').includes(inc.id), 60_000);
    expect(await s.container.redis.hexists(k.incidents, inc.id)).toBe(0);
  });
});
