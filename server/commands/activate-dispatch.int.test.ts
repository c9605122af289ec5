import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../../shared/incident.ts';
import type { Operation } from '../../shared/operation.ts';
import type { RankedPlan } from '../../shared/plan.ts';
import type { LiveEvent } from '../../shared/protocol.ts';
import { type Api, loginAll, reportIncident, snapshot } from '../testing/command-helpers.ts';
import { startTestServer, type TestServer } from '../testing/harness.ts';
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

const proposalsOf = async (api: Api, incidentId: string, planId: string) => {
  const plans: RankedPlan[] = (await api.get(`/api/v1/incidents/${incidentId}/plans`)).body;
  return plans.find((p) => p.id === planId)!.proposals!;
};

/** Everything a refused command must have left alone. */
const headSeq = async () => (await snapshot(as.commander)).seq;

describe('activate and dispatch in one command', () => {
  let incident: Incident;

  it('lists each plan with the resources it would get now', async () => {
    incident = await reportIncident(srv.url, as.commander, { category: 'gas_leak', severity: 2 });
    const proposals = await proposalsOf(as.duty, incident.id, 'plan-gas-leak');
    const counts: Record<string, number> = {};
    for (const p of proposals) counts[p.type] = (counts[p.type] ?? 0) + 1;
    expect(counts).toEqual({ gas_crew: 2, fire_engine: 2, police_unit: 2, ambulance: 1 });
  });

  it('activates and dispatches the proposals in one commit, the same events as one by one', async () => {
    const proposals = await proposalsOf(as.commander, incident.id, 'plan-gas-leak');
    const ids = proposals.map((p) => p.resourceId);
    const before = await headSeq();
    const res = await as.commander.post('/api/v1/operations', {
      planId: 'plan-gas-leak',
      incidentId: incident.id,
      dispatch: ids,
    });
    expect(res.status).toBe(201);
    const opId: string = res.body.id;
    expect(res.body.dispatchIds).toHaveLength(ids.length);
    // activated, incident, mode, then dispatch + resource per resource, then the operation once.
    const n = 3 + 2 * ids.length + 1;
    await feed.waitForSeq(before + n);
    const evs = feed.events.filter((e) => e.seq > before && e.seq <= before + n);
    expect(evs.map((e) => e.seq)).toEqual(Array.from({ length: n }, (_, i) => before + 1 + i));
    expect(evs.map((e) => e.type)).toEqual([
      'operation.activated',
      'incident.updated',
      'mode.changed',
      ...ids.flatMap(() => ['dispatch.created', 'resource.updated']),
      'operation.updated',
    ]);
    // One commit: one timestamp, one actor.
    expect(new Set(evs.map((e) => e.at)).size).toBe(1);
    expect(new Set(evs.map((e) => e.actor))).toEqual(new Set(['commander']));
    const dispatches = evs.filter(
      (e): e is Extract<LiveEvent, { type: 'dispatch.created' }> => e.type === 'dispatch.created',
    );
    expect(dispatches.map((e) => e.data.resourceId)).toEqual(ids);
    expect(dispatches.map((e) => e.data.id)).toEqual(res.body.dispatchIds);
    expect(dispatches.every((e) => e.data.operationId === opId && e.data.incidentId === incident.id)).toBe(
      true,
    );
    const last = evs.at(-1) as Extract<LiveEvent, { type: 'operation.updated' }>;
    expect(last.data.resourceIds).toEqual(ids);

    const op: Operation = (await as.duty.get(`/api/v1/operations/${opId}`)).body;
    expect(op).toMatchObject({ status: 'active', resourceIds: ids, version: 2 });
    expect(op.proposals.map((p) => p.resourceId)).toEqual(ids);
    const snap = await snapshot(as.commander);
    expect(snap.seq).toBe(before + n);
    expect(snap.mode).toMatchObject({ state: 'wartime' });
    for (const id of ids)
      expect(snap.resources.find((r) => r.id === id)).toMatchObject({
        status: 'dispatched',
        operationId: opId,
        incidentId: incident.id,
      });
  });

  it('refuses a resource that is not available with a 409 naming it, and writes nothing', async () => {
    const other = await reportIncident(srv.url, as.commander, { category: 'gas_leak', severity: 2 });
    const snap = await snapshot(as.commander);
    const busy = snap.resources.find((r) => r.status === 'dispatched')!;
    const free = snap.resources.filter((r) => r.status === 'available').slice(0, 2);
    const before = snap.seq;
    const res = await as.commander.post('/api/v1/operations', {
      planId: 'plan-gas-leak',
      incidentId: other.id,
      dispatch: [free[0].id, busy.id, free[1].id],
    });
    expect(res.status).toBe(409);
    expect(res.body.message).toContain(busy.id);
    const after = await snapshot(as.commander);
    expect(after.seq).toBe(before);
    expect(after.operations.some((o) => o.incidentId === other.id)).toBe(false);
    for (const r of free) expect(after.resources.find((x) => x.id === r.id)!.status).toBe('available');

    const unknown = await as.commander.post('/api/v1/operations', {
      planId: 'plan-gas-leak',
      incidentId: other.id,
      dispatch: ['RES-nope'],
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('RES-nope');
    expect(await headSeq()).toBe(before);
  });

  it('answers 400 naming the problem for a bad list, and writes nothing', async () => {
    const before = await headSeq();
    const bad = await as.commander.post('/api/v1/operations', {
      planId: 'plan-gas-leak',
      incidentId: incident.id,
      dispatch: ['R1', 7, 'R2', null],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_request');
    expect(bad.body.issues.map((i: { path: string }) => i.path)).toEqual(['dispatch.1', 'dispatch.3']);
    const twice = await as.commander.post('/api/v1/operations', {
      planId: 'plan-gas-leak',
      incidentId: incident.id,
      dispatch: ['R1', 'R1'],
    });
    expect(twice.status).toBe(400);
    expect(twice.body.issues).toEqual([{ path: 'dispatch', message: 'a resource may be named only once' }]);
    expect(await headSeq()).toBe(before);
  });

  it('lets only the commander activate and dispatch (403, nothing written)', async () => {
    const other = await reportIncident(srv.url, as.commander, { category: 'gas_leak', severity: 2 });
    const free = (await snapshot(as.commander)).resources.find((r) => r.status === 'available')!;
    const before = await headSeq();
    for (const role of ['duty', 'liaison', 'admin', 'subcentre', 'department'] as const) {
      const res = await as[role].post('/api/v1/operations', {
        planId: 'plan-gas-leak',
        incidentId: other.id,
        dispatch: [free.id],
      });
      expect(res.status, role).toBe(403);
    }
    expect(await headSeq()).toBe(before);
  });

  it('keeps the contract form: {planId, incidentId} activates without dispatching', async () => {
    const other = await reportIncident(srv.url, as.commander, { category: 'gas_leak', severity: 2 });
    const before = await headSeq();
    const res = await as.commander.post('/api/v1/operations', {
      planId: 'plan-gas-leak',
      incidentId: other.id,
    });
    expect(res.status).toBe(201);
    await feed.waitForSeq(before + 3);
    const evs = feed.events.filter((e) => e.seq > before);
    expect(evs.map((e) => e.type)).toEqual(['operation.activated', 'incident.updated', 'mode.changed']);
    const op: Operation = (await as.duty.get(`/api/v1/operations/${res.body.id}`)).body;
    expect(op).toMatchObject({ resourceIds: [], version: 1 });
  });
});
