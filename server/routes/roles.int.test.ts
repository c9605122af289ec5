import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../shared/common.ts';
import { PERMISSIONS, type Permission } from '../../shared/identity.ts';
import type { Incident } from '../../shared/incident.ts';
import type { Snapshot } from '../../shared/protocol.ts';
import { apiAs, loginAll, reportIncident, snapshot, until, type Api } from '../testing/command-helpers.ts';
import { INTAKE_KEY, postJson, startTestServer, type TestServer } from '../testing/harness.ts';

let srv: TestServer;
let as: Record<Role, Api>;
let incident: Incident;
let opId: string;
let alertId: string;
let resourceId: string;

/**
 * Every command, tried by every role PERMISSIONS does not allow, with a body that would succeed
 * for a permitted role: each must answer 403 and leave the snapshot exactly as it was.
 */
const COMMANDS: { name: string; permission: Permission; call: (api: Api) => ReturnType<Api['post']> }[] = [
  {
    name: 'activate',
    permission: 'operation.activate',
    call: (a) => a.post('/api/v1/operations', { planId: 'plan-fire', incidentId: incident.id }),
  },
  {
    name: 'stand down',
    permission: 'operation.stand_down',
    call: (a) => a.post(`/api/v1/operations/${opId}/stand-down`, {}),
  },
  {
    name: 'switch mode',
    permission: 'mode.switch',
    call: (a) => a.post('/api/v1/mode', { state: 'peacetime', reason: 'x' }),
  },
  {
    name: 'dispatch',
    permission: 'dispatch.create',
    call: (a) => a.post('/api/v1/dispatches', { resourceId, incidentId: incident.id }),
  },
  {
    name: 'update resource',
    permission: 'resource.update',
    call: (a) => a.patch(`/api/v1/resources/${resourceId}`, { status: 'out_of_service' }),
  },
  {
    name: 'update task',
    permission: 'task.update',
    call: (a) => a.patch(`/api/v1/operations/${opId}/tasks/fire-1`, { status: 'done' }),
  },
  {
    name: 'field report',
    permission: 'report.create',
    call: (a) => a.post(`/api/v1/incidents/${incident.id}/reports`, { text: 'x' }),
  },
  {
    name: 'advance case',
    permission: 'incident.update',
    call: (a) => a.patch(`/api/v1/incidents/${incident.id}`, { status: 'verified' }),
  },
  {
    name: 'confirm alert',
    permission: 'video_alert.review',
    call: (a) => a.post(`/api/v1/video-alerts/${alertId}/confirm`),
  },
  {
    name: 'dismiss alert',
    permission: 'video_alert.review',
    call: (a) => a.post(`/api/v1/video-alerts/${alertId}/dismiss`),
  },
];
// The scoped roles too: no command of the centre is theirs.
const ROLES: readonly Role[] = Role.options;

beforeAll(async () => {
  srv = await startTestServer();
  as = await loginAll(srv.url);
  // A fire (with an active operation on it) and a new camera alert to aim the commands at.
  incident = await reportIncident(srv.url, as.commander, { category: 'fire' });
  const other = await reportIncident(srv.url, as.commander, { category: 'fire' });
  opId = (await as.commander.post('/api/v1/operations', { planId: 'plan-fire', incidentId: other.id })).body
    .id;
  const cams = (await as.duty.get('/api/v1/cameras')).body as { id: string }[];
  const va = await postJson(
    `${srv.url}/api/v1/video-alerts`,
    { cameraId: cams[5].id, type: 'other', confidence: 0.5 },
    { authorization: `Bearer ${INTAKE_KEY}` },
  );
  alertId = va.body.id;
  await until(async () => (await snapshot(as.duty)).videoAlerts.some((a) => a.id === alertId));
  resourceId = (await snapshot(as.duty)).resources.find((r) => r.status === 'available')!.id;
});
afterAll(async () => {
  await srv?.close();
});

const stable = (s: Snapshot) => JSON.stringify({ ...s, plans: undefined });

describe('role × command matrix', () => {
  for (const cmd of COMMANDS) {
    const refused = ROLES.filter((r) => !(PERMISSIONS[cmd.permission] as readonly string[]).includes(r));
    for (const role of refused) {
      it(`${role} may not ${cmd.name}: 403 and nothing changes`, async () => {
        const before = await snapshot(as.admin);
        const res = await cmd.call(as[role]);
        expect(res.status).toBe(403);
        expect(res.body.error).toBe('forbidden');
        const after = await snapshot(as.admin);
        expect(after.seq).toBe(before.seq);
        expect(stable(after)).toBe(stable(before));
      });
    }
    it(`an intake key may not ${cmd.name}; no session is 401`, async () => {
      const before = await snapshot(as.admin);
      const keyed = apiAs(srv.url, '');
      const withKey = {
        ...keyed,
        post: (p: string, b: unknown = {}) =>
          postJson(srv.url + p, b, { authorization: `Bearer ${INTAKE_KEY}` }),
        patch: (p: string, b: unknown) =>
          postJson(srv.url + p, b, { authorization: `Bearer ${INTAKE_KEY}` }, 'PATCH'),
      };
      expect((await cmd.call(withKey)).status).toBe(403);
      expect((await cmd.call(keyed)).status).toBe(401);
      expect((await snapshot(as.admin)).seq).toBe(before.seq);
    });
  }

  it('refuses before validating: a refused role gets 403 even for a bad body', async () => {
    expect((await as.duty.post('/api/v1/operations', { nonsense: true })).status).toBe(403);
    expect((await as.liaison.post('/api/v1/dispatches', {})).status).toBe(403);
  });

  it('the permitted roles get through (the matrix is not vacuous)', async () => {
    expect((await as.liaison.post(`/api/v1/incidents/${incident.id}/reports`, { text: 'ok' })).status).toBe(
      201,
    );
    expect(
      (await as.liaison.patch(`/api/v1/operations/${opId}/tasks/fire-1`, { status: 'in_progress' })).status,
    ).toBe(200);
    expect((await as.duty.post(`/api/v1/video-alerts/${alertId}/dismiss`)).status).toBe(200);
  });
});
