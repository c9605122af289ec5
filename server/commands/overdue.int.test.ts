import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AfterActionRecord } from '../../shared/after-action.ts';
import type { Plan } from '../../shared/plan.ts';
import type { LiveEvent } from '../../shared/protocol.ts';
import { loginAll, reportIncident, snapshot, until } from '../testing/command-helpers.ts';
import { startTestServer, type TestServer } from '../testing/harness.ts';
import { RecordingClient } from '../testing/live-client.ts';
import { TIMER_ACTOR } from './operation.service.ts';

/** A drill plan whose first tasks fall due in 0.6 s, so the real BullMQ timer can be watched. */
const DRILL: Plan = {
  id: 'plan-test-drill',
  name: '测试演练预案',
  nameEn: 'Test drill plan',
  categories: ['other'],
  level: 4,
  tasks: [
    {
      id: 'a',
      title: '无人处理',
      titleEn: 'Left alone',
      unit: 'U',
      role: 'liaison',
      dueMinutes: 0.01,
      order: 1,
    },
    {
      id: 'b',
      title: '按时完成',
      titleEn: 'Done in time',
      unit: 'U',
      role: 'liaison',
      dueMinutes: 0.01,
      order: 2,
    },
    {
      id: 'c',
      title: '超时完成',
      titleEn: 'Done late',
      unit: 'U',
      role: 'liaison',
      dueMinutes: 0.01,
      order: 3,
    },
    {
      id: 'd',
      title: '长期任务',
      titleEn: 'Long task',
      unit: 'U',
      role: 'liaison',
      dueMinutes: 600,
      order: 4,
    },
  ],
  needs: [{ type: 'supplies', count: 1 }],
  cordonRadiusM: 100,
};

let srv: TestServer;
let as: Awaited<ReturnType<typeof loginAll>>;
let feed: RecordingClient;

beforeAll(async () => {
  srv = await startTestServer();
  srv.container.plans.push(DRILL);
  as = await loginAll(srv.url);
  feed = new RecordingClient(srv.url, as.liaison.cookie, 0);
  await feed.connected();
});
afterAll(async () => {
  feed?.close();
  await srv?.close();
});

const overdueEvents = (opId: string, taskId: string) =>
  feed.events.filter(
    (e): e is Extract<LiveEvent, { type: 'task.updated' }> =>
      e.type === 'task.updated' && e.data.operationId === opId && e.data.id === taskId && e.data.overdue,
  );

describe('task due timers (BullMQ delayed jobs)', () => {
  it('marks a task not done by its due time overdue, once; done in time stays on time', async () => {
    const incident = await reportIncident(srv.url, as.commander, { category: 'other' });
    const res = await as.commander.post('/api/v1/operations', { planId: DRILL.id, incidentId: incident.id });
    expect(res.status).toBe(201);
    const opId = res.body.id as string;
    expect((await as.liaison.patch(`/api/v1/operations/${opId}/tasks/b`, { status: 'done' })).status).toBe(
      200,
    );

    const a = await until(async () => overdueEvents(opId, 'a')[0], 10_000);
    expect(a.actor).toBe(TIMER_ACTOR);
    expect(Date.parse(a.at)).toBeGreaterThanOrEqual(Date.parse(a.data.dueAt) - 1000);
    expect(feed.events.find((e) => e.seq === a.seq + 1)).toMatchObject({
      type: 'operation.updated',
      data: { id: opId },
    });
    await until(async () => overdueEvents(opId, 'c')[0], 10_000);
    // Every due job has run (only d's, ten hours out, still waits).
    await until(async () => {
      const n = await srv.container.queue.counts();
      // (The incident's own case timers wait too: only the task timers count here.)
      return n.active === 0 && n.waiting === 0 && (await srv.container.queue.delayedCount('task.due')) === 1;
    });
    const op = (await as.liaison.get(`/api/v1/operations/${opId}`)).body;
    expect(op.tasks.map((t: { id: string; overdue: boolean }) => [t.id, t.overdue])).toEqual([
      ['a', true],
      ['b', false],
      ['c', true],
      ['d', false],
    ]);

    // A second run of a job changes nothing; so does a job for an operation that never was.
    const seq = (await snapshot(as.commander)).seq;
    expect(await srv.container.operations.taskDue({ operationId: opId, taskId: 'a' })).toEqual({
      outcome: 'unchanged',
    });
    expect(await srv.container.operations.taskDue({ operationId: opId, taskId: 'b' })).toEqual({
      outcome: 'unchanged',
    });
    expect(await srv.container.operations.taskDue({ operationId: 'OP-none', taskId: 'a' })).toEqual({
      outcome: 'gone',
    });
    expect((await snapshot(as.commander)).seq).toBe(seq);
    expect(overdueEvents(opId, 'a')).toHaveLength(1);

    // Done after the due time: late, and the overdue mark stays as a record.
    const c = await as.liaison.patch(`/api/v1/operations/${opId}/tasks/c`, { status: 'done' });
    expect(c.body).toMatchObject({ status: 'done', overdue: true });

    expect((await as.commander.post(`/api/v1/operations/${opId}/stand-down`)).status).toBe(200);
    // The remaining timer was dropped with the operation.
    await until(async () => (await srv.container.queue.delayedCount('task.due')) === 0);
    const rec = (await as.commander.get(`/api/v1/operations/${opId}/after-action`)).body as AfterActionRecord;
    expect(rec.tasks).toMatchObject({ total: 4, onTime: 1, late: 1, notDone: 2 });
    expect(rec.tasks.items.map((t) => t.outcome)).toEqual(['not_done', 'on_time', 'late', 'not_done']);
    expect(rec.timeline.filter((e) => e.type === 'task.updated' && e.actor === TIMER_ACTOR)).toHaveLength(2);
  });
});
