import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../../shared/incident.ts';
import { apiAs, loginAll, reportIncident, type Api } from '../testing/command-helpers.ts';
import {
  login,
  startTestRedis,
  startTestServer,
  type TestRedis,
  type TestServer,
} from '../testing/harness.ts';
import { startTestPostgres, type TestPostgres } from '../testing/postgres.ts';
import { eventOf, eventsFor, saveLimits } from '../testing/case-testing.ts';

/**
 * Deadlines with short limits, on the real BullMQ timers: each test waits on the events the
 * timers raise (case.due_soon at 80 % of a step's limit, case.overdue at 100 %), never on a sleep.
 */
describe('deadline timers', () => {
  let srv: TestServer;
  let as: Awaited<ReturnType<typeof loginAll>>;
  beforeAll(async () => {
    srv = await startTestServer();
    as = await loginAll(srv.url);
    // Verification of environment cases in 3 s, of traffic cases in 6 s.
    await saveLimits(srv, as.admin, (l) =>
      l.step === 'verify' && l.category === 'environment'
        ? { ...l, amount: 0.05, unit: 'minutes' }
        : l.step === 'verify' && l.category === 'traffic'
          ? { ...l, amount: 0.1, unit: 'minutes' }
          : l,
    );
  });
  afterAll(async () => srv?.close());

  it('a step left alone raises case.due_soon, then case.overdue, each once, with its flag set', async () => {
    const c = await reportIncident(srv.url, as.duty, { category: 'environment' });
    expect(Date.parse(c.steps[0].dueAt) - Date.parse(c.steps[0].startedAt)).toBe(3000);
    const soon = await eventOf(srv, 'case.due_soon', (d) => d.id === c.id);
    expect((soon.data as Incident).steps[0]).toMatchObject({ step: 'verify', dueSoon: true });
    expect((soon.data as Incident).steps[0].overdue).toBeUndefined();
    const late = await eventOf(srv, 'case.overdue', (d) => d.id === c.id);
    expect(late.seq).toBeGreaterThan(soon.seq);
    expect((late.data as Incident).steps[0]).toMatchObject({ dueSoon: true, overdue: true });
    expect(late.actor).toBe('system:timer');
    // The state carries the flags too, and each timer fired once.
    const now = await srv.container.state.getIncident(c.id);
    expect(now?.steps[0]).toMatchObject({ dueSoon: true, overdue: true });
    expect(await eventsFor(srv, 'case.overdue', c.id)).toHaveLength(1);
    expect(await eventsFor(srv, 'case.due_soon', c.id)).toHaveLength(1);
  });

  it('a step finished in time raises nothing: its timers find it finished', async () => {
    const c = await reportIncident(srv.url, as.duty, { category: 'environment' });
    const v = await as.duty.post(`/api/v1/cases/${c.id}/actions`, { action: 'verify' });
    expect(v.status).toBe(200);
    // A later case's overdue event proves the earlier case's timers (due sooner) have fired by now.
    const later = await reportIncident(srv.url, as.duty, { category: 'environment' });
    await eventOf(srv, 'case.overdue', (d) => d.id === later.id);
    const deadline = await srv.container.caseActions.deadline('overdue', {
      caseId: c.id,
      stepIndex: 0,
      dueAt: c.steps[0].dueAt,
    });
    expect(deadline.outcome).toBe('step_finished');
    expect(await eventsFor(srv, 'case.overdue', c.id)).toHaveLength(0);
  });

  it('an extension reschedules: the overdue event comes for the new due time, the old timer does nothing', async () => {
    const c = await reportIncident(srv.url, as.duty, { category: 'traffic' });
    const e = await as.duty.post(`/api/v1/cases/${c.id}/actions`, {
      action: 'extend',
      amount: 0.1,
      unit: 'minutes',
      reason: '需现场核实',
    });
    expect(e.status).toBe(200);
    const extended = (e.body as Incident).steps[0];
    expect(Date.parse(extended.dueAt) - Date.parse(c.steps[0].dueAt)).toBe(6000);
    const late = await eventOf(srv, 'case.overdue', (d) => d.id === c.id);
    expect((late.data as Incident).steps[0]).toMatchObject({
      dueAt: extended.dueAt,
      overdue: true,
      extension: { previousDueAt: c.steps[0].dueAt },
    });
    expect(await eventsFor(srv, 'case.overdue', c.id)).toHaveLength(1);
    // A timer for the old due time (had its removal failed) changes nothing when it fires.
    const head = await srv.container.store.headSeq();
    const stale = await srv.container.caseActions.deadline('overdue', {
      caseId: c.id,
      stepIndex: 0,
      dueAt: c.steps[0].dueAt,
    });
    expect(stale.outcome).toBe('due_time_moved');
    expect(await srv.container.store.headSeq()).toBe(head);
  });

  it('a new step gets timers of its own (dispatch after verify)', async () => {
    await saveLimits(srv, as.admin, (l) =>
      l.step === 'dispatch' && l.category === 'environment' ? { ...l, amount: 0.05, unit: 'minutes' } : l,
    );
    const c = await reportIncident(srv.url, as.duty, { category: 'environment' });
    await as.duty.post(`/api/v1/cases/${c.id}/actions`, { action: 'verify' });
    const late = await eventOf(srv, 'case.overdue', (d) => d.id === c.id && d.steps.length === 2);
    expect((late.data as Incident).steps[1]).toMatchObject({ step: 'dispatch', overdue: true });
  });
});

describe('deadline timers across a restart', () => {
  let redis: TestRedis;
  let pg: TestPostgres;
  let b: TestServer | undefined;
  beforeAll(async () => {
    redis = await startTestRedis();
    pg = await startTestPostgres();
  });
  afterAll(async () => {
    await b?.close();
    await pg?.stop();
    await redis?.stop();
  });

  it('a timer set by one server fires in the next one on the same Redis and database', async () => {
    const opts = { redisUrl: redis.url, databaseUrl: pg.url, prefix: '{pzrestart}' };
    const a = await startTestServer(opts);
    let c: Incident;
    try {
      const admin = apiAs(a.url, await login(a.url, 'admin'));
      const duty = apiAs(a.url, await login(a.url, 'duty'));
      // Long enough to close this server and start the next one before it is due.
      await saveLimits(a, admin, (l) =>
        l.step === 'verify' && l.category === 'environment' ? { ...l, amount: 0.5, unit: 'minutes' } : l,
      );
      c = await reportIncident(a.url, duty, { category: 'environment' });
    } finally {
      await a.close();
    }
    b = await startTestServer(opts);
    const startedAt = await b.container.store.headSeq();
    const late = await eventOf(b, 'case.overdue', (d) => d.id === c.id, 60_000);
    // Raised by the second server: after everything the first one wrote.
    expect(late.seq).toBeGreaterThan(startedAt);
    expect((late.data as Incident).steps[0]).toMatchObject({ step: 'verify', overdue: true });
    const api: Api = apiAs(b.url, await login(b.url, 'duty'));
    const rec = await api.get(`/api/v1/cases/${c.id}`);
    expect(rec.body.steps[0].overdue).toBe(true);
  });
});
