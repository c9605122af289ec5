import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AfterActionRecord } from '../../shared/after-action.ts';
import type { LiveEvent } from '../../shared/protocol.ts';
import { RecordService } from './record.service.ts';
import { type Api, loginAll, reportIncident } from '../testing/command-helpers.ts';
import {
  postAccepted,
  startTestServer,
  waitForHead,
  waitForPipelineIdle,
  type TestServer,
} from '../testing/harness.ts';
import { caseReport } from '../testing/postgres.ts';

/**
 * EVENT_RETENTION bounds only the stream (how far back a console may resume); the record —
 * audit trail, incidents, after-action records — comes from the database, back to seq 1.
 */
describe('history beyond the retention', () => {
  let s: TestServer;
  let as: Record<'duty' | 'commander' | 'liaison' | 'admin', Api>;
  let opId: string;
  let activatedSeq: number;
  let recordBefore: AfterActionRecord;
  let earlyAudit: LiveEvent[];
  const ids: string[] = [];

  const auditAll = async (query = ''): Promise<LiveEvent[]> => {
    const out: LiveEvent[] = [];
    let before: number | null = null;
    do {
      const res = await as.admin.get(
        `/api/v1/audit?limit=500${query}${before === null ? '' : `&before=${before}`}`,
      );
      expect(res.status).toBe(200);
      out.push(...(res.body.events as LiveEvent[]));
      before = res.body.nextBefore;
    } while (before !== null);
    return out;
  };

  beforeAll(async () => {
    s = await startTestServer({ env: { EVENT_RETENTION: '300' } });
    as = await loginAll(s.url);
  });
  afterAll(async () => s?.close());

  it('keeps ~300 events in the stream after 1,500, yet the audit pages back to seq 1, each event once', async () => {
    // An operation activated and stood down before the burst: its events go from the stream.
    const incident = await reportIncident(s.url, as.commander, { category: 'gas_leak', severity: 3 });
    const act = await as.commander.post('/api/v1/operations', {
      planId: 'plan-gas-leak',
      incidentId: incident.id,
    });
    expect(act.status).toBe(201);
    opId = act.body.id;
    const down = await as.commander.post(`/api/v1/operations/${opId}/stand-down`, { summary: '处置完毕' });
    expect(down.status).toBe(200);
    ids.push(incident.id);
    const early = await as.admin.get('/api/v1/audit?limit=500');
    earlyAudit = early.body.events;
    activatedSeq = earlyAudit.find((e) => e.type === 'operation.activated')!.seq;
    // A record built from the stream, to compare with the one built later from the database.
    recordBefore = await new RecordService(
      s.container.store,
      s.container.state,
      s.container.historyRepo,
      () => 0,
    ).afterAction(opId);

    for (let i = 0; i < 1500; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          postAccepted(`${s.url}/api/v1/incidents`, caseReport('ret', i + j)),
        ),
      );
      ids.push(...batch.map((r) => r.body.id as string));
    }
    await waitForPipelineIdle(s);
    const head = await s.container.store.headSeq();
    expect(head).toBeGreaterThan(1500);
    await waitForHead(s, head);

    // The stream: the newest 300, give or take a stream node (approximate trimming keeps whole nodes).
    const len = await s.container.redis.xlen(s.container.keys.events);
    expect(len).toBeGreaterThanOrEqual(300);
    expect(len).toBeLessThanOrEqual(300 + 200);
    const oldest = await s.container.store.oldestSeq();
    expect(oldest).toBeGreaterThan(activatedSeq);

    // The audit trail: every seq from the head down to 1, once, newest first, across the seam.
    const all = await auditAll();
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: head }, (_, i) => head - i));
    // What the stream said about the early events is what the database says now.
    const early2 = all.filter((e) => e.seq <= earlyAudit[0].seq);
    expect(early2).toEqual(earlyAudit);

    // A filtered page reaches into the database too.
    const acts = await auditAll('&type=operation.activated,operation.stood_down');
    expect(acts.map((e) => e.type)).toEqual(['operation.stood_down', 'operation.activated']);
    expect(acts[1].seq).toBe(activatedSeq);
  });

  it('answers GET /api/v1/incidents/:id for every early incident, from the database once Redis lets go of it', async () => {
    const early = ids.slice(0, 200);
    for (const id of early) {
      const r = await as.duty.get(`/api/v1/incidents/${id}`);
      expect(r.status).toBe(200);
      expect(r.body.id).toBe(id);
    }
    // The working set drops a case (as it will for closed ones): the record still answers.
    const gone = ids[5];
    const live = (await as.duty.get(`/api/v1/incidents/${gone}`)).body;
    await s.container.redis.hdel(s.container.keys.incidents, gone);
    const r = await as.duty.get(`/api/v1/incidents/${gone}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(live);
    expect((await as.duty.get('/api/v1/incidents/inc-never-was')).status).toBe(404);
  });

  it('still gives the after-action record of the operation stood down early', async () => {
    const res = await as.duty.get(`/api/v1/operations/${opId}/after-action`);
    expect(res.status).toBe(200);
    expect(res.body.operationId).toBe(opId);
    // Built afresh (no cache) now that the stream no longer holds the operation's start.
    expect(await s.container.store.oldestSeq()).toBeGreaterThan(activatedSeq);
    const fresh = new RecordService(s.container.store, s.container.state, s.container.historyRepo, () =>
      s.container.projector!.projectedSeq(),
    );
    const rec = await fresh.afterAction(opId);
    expect(rec.timeline).toEqual(recordBefore.timeline);
    expect(rec.timeline[0]).toMatchObject({ seq: activatedSeq, type: 'operation.activated' });
    expect({ ...rec, generatedAt: null }).toEqual({ ...recordBefore, generatedAt: null });
  });
});
