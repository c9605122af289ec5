import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperatorRole } from '../../shared/common.ts';
import type { Incident } from '../../shared/incident.ts';
import { loginAll, reportIncident, until, type Api } from '../testing/command-helpers.ts';
import { postJson, startTestServer, type TestServer } from '../testing/harness.ts';

let srv: TestServer;
let as: Record<OperatorRole, Api>;
beforeAll(async () => {
  srv = await startTestServer();
  as = await loginAll(srv.url);
});
afterAll(async () => srv?.close());

describe('the case lifecycle (PATCH /api/v1/incidents/:id)', () => {
  it('moves a case forward step by step, recording who did what', async () => {
    const inc = await reportIncident(srv.url, as.duty, { category: 'environment' });
    const verified = await as.duty.patch(`/api/v1/incidents/${inc.id}`, {
      status: 'verified',
      note: '现场核实属实',
    });
    expect(verified.status).toBe(200);
    expect(verified.body.status).toBe('verified');
    // The alias runs the action `verify`: the history names the action, as the actions route does.
    expect(verified.body.lastAction).toMatchObject({
      action: 'verify',
      actor: 'duty',
      note: '现场核实属实',
    });
    const handled = await as.commander.patch(`/api/v1/incidents/${inc.id}`, { status: 'handled' });
    expect(handled.body.status).toBe('handled');
  });

  it('refuses to go backwards or to repeat a step, and changes nothing', async () => {
    const inc = await reportIncident(srv.url, as.duty, { category: 'environment' });
    await as.duty.patch(`/api/v1/incidents/${inc.id}`, { status: 'inspected' });
    const head = await srv.container.store.headSeq();
    expect((await as.duty.patch(`/api/v1/incidents/${inc.id}`, { status: 'verified' })).status).toBe(409);
    expect((await as.duty.patch(`/api/v1/incidents/${inc.id}`, { status: 'inspected' })).status).toBe(409);
    expect((await as.duty.patch(`/api/v1/incidents/${inc.id}`, { status: 'reopened' })).status).toBe(400);
    expect((await as.duty.patch('/api/v1/incidents/INC-nope', { status: 'closed' })).status).toBe(404);
    expect(await srv.container.store.headSeq()).toBe(head);
  });

  it('a closed case no longer absorbs new reports nearby', async () => {
    const inc = await reportIncident(srv.url, as.duty, { category: 'traffic' });
    expect((await as.duty.patch(`/api/v1/incidents/${inc.id}`, { status: 'closed' })).status).toBe(200);
    const again = await postJson(`${srv.url}/api/v1/incidents`, {
      source: 'test',
      kind: 'case',
      category: 'traffic',
      title: '同一路口再次上报',
      location: inc.location,
    });
    const fresh = await until(async () => {
      const r = await as.duty.get(`/api/v1/incidents/${again.body.id}`);
      return r.status === 200 ? (r.body as Incident) : null;
    });
    expect(fresh.id).toBe(again.body.id);
    expect(fresh.reportCount).toBe(1);
  });

  it('will not close a case while its operation is active', async () => {
    const inc = await reportIncident(srv.url, as.commander, { category: 'gas_leak' });
    const op = await as.commander.post('/api/v1/operations', { planId: 'plan-gas-leak', incidentId: inc.id });
    expect(op.status).toBe(201);
    expect((await as.commander.patch(`/api/v1/incidents/${inc.id}`, { status: 'closed' })).status).toBe(409);
    await as.commander.post(`/api/v1/operations/${op.body.id}/stand-down`, {});
    expect((await as.commander.patch(`/api/v1/incidents/${inc.id}`, { status: 'closed' })).status).toBe(200);
  });
});
