/**
 * Acknowledging an alarm (issue 13 item 2): one command, one commit, `incident.updated` with
 * who and when on the feed and in the audit trail; the roles; 404; a second ack writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, IncidentRecord } from '../../shared/incident.ts';
import type { LiveEvent } from '../../shared/protocol.ts';
import { loginAll, reportIncident, snapshot, until } from '../testing/command-helpers.ts';
import { startTestServer, waitForProjection, type TestServer } from '../testing/harness.ts';
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

describe('POST /api/v1/incidents/:id/acknowledge', () => {
  let inc: Incident;

  it('records who and when in one commit, on the feed, in the record and the audit trail', async () => {
    inc = await reportIncident(srv.url, as.duty, { category: 'gas_leak', severity: 2 });
    expect(inc.acknowledgedAt).toBeUndefined();
    const res = await as.duty.post(`/api/v1/incidents/${inc.id}/acknowledge`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: inc.id,
      acknowledgedBy: 'duty',
      version: inc.version + 1,
      lastAction: { action: 'acknowledged', actor: 'duty' },
    });
    expect(Date.parse(res.body.acknowledgedAt)).not.toBeNaN();
    const ev = await until(async () =>
      feed.events.find(
        (e): e is Extract<LiveEvent, { type: 'incident.updated' }> =>
          e.type === 'incident.updated' && e.data.id === inc.id && e.data.acknowledgedAt !== undefined,
      ),
    );
    expect(ev).toMatchObject({ actor: 'duty', data: { acknowledgedBy: 'duty', version: inc.version + 1 } });
    // one commit: nothing else came with it
    expect(feed.events.filter((e) => e.seq === ev.seq)).toHaveLength(1);
    expect((await snapshot(as.commander)).incidents.find((i) => i.id === inc.id)).toMatchObject({
      acknowledgedBy: 'duty',
    });

    await waitForProjection(srv, ev.seq);
    const audit = await as.admin.get('/api/v1/audit?actor=duty&type=incident.updated&limit=50');
    expect(audit.status).toBe(200);
    const entry = (audit.body.events as LiveEvent[]).find((e) => e.seq === ev.seq);
    expect(entry).toMatchObject({
      actor: 'duty',
      type: 'incident.updated',
      data: { acknowledgedBy: 'duty' },
    });
    const rec = (await as.commander.get(`/api/v1/incidents/${inc.id}`)).body as IncidentRecord;
    expect(rec.history.at(-1)).toMatchObject({ action: 'acknowledged', actor: 'duty' });
  });

  it('a second acknowledgement (another console) is 200 with the first one kept, nothing written', async () => {
    const head = (await snapshot(as.commander)).seq;
    const again = await as.commander.post(`/api/v1/incidents/${inc.id}/acknowledge`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ acknowledgedBy: 'duty', version: inc.version + 1 });
    expect((await snapshot(as.commander)).seq).toBe(head);
  });

  it('duty and commander only; 404 for an unknown incident; nothing written on refusal', async () => {
    const other = await reportIncident(srv.url, as.duty, { category: 'fire', severity: 1 });
    const head = (await snapshot(as.commander)).seq;
    for (const role of ['liaison', 'admin', 'subcentre', 'department'] as const) {
      const r = await as[role].post(`/api/v1/incidents/${other.id}/acknowledge`);
      expect([403, 404], role).toContain(r.status);
    }
    expect((await as.liaison.post(`/api/v1/incidents/${other.id}/acknowledge`)).status).toBe(403);
    expect((await as.admin.post(`/api/v1/incidents/${other.id}/acknowledge`)).status).toBe(403);
    const missing = await as.commander.post('/api/v1/incidents/INC-nope/acknowledge');
    expect(missing.status).toBe(404);
    expect((await as.commander.post(`/api/v1/incidents/${other.id}/acknowledge`, { x: 1 })).status).toBe(400);
    expect((await snapshot(as.commander)).seq).toBe(head);
    const ok = await as.commander.post(`/api/v1/incidents/${other.id}/acknowledge`);
    expect(ok.body).toMatchObject({ acknowledgedBy: 'commander' });
  });
});
