import { describe, expect, it } from 'vitest';
import type { Operation, OperationTask } from '../../shared/operation.ts';
import type { LiveEvent } from '../../shared/protocol.ts';
import type { Resource } from '../../shared/resource.ts';
import { renderAfterActionHtml } from './after-action-html.ts';
import { computeAfterAction, OperationEventFilter, withActorNames } from './after-action.ts';

const T = (min: number) => new Date(Date.UTC(2024, 5, 1, 8, 0) + min * 60_000).toISOString();
const task = (id: string, order: number, dueMin: number): OperationTask => ({
  id,
  title: `任务 ${id}`,
  titleEn: id,
  unit: 'u',
  role: 'liaison',
  order,
  status: 'pending',
  dueAt: T(dueMin),
  overdue: false,
  doneAt: null,
  updatedAt: T(0),
});
const op: Operation = {
  id: 'OP-1',
  planId: 'p',
  planName: '预案',
  planNameEn: 'plan',
  incidentId: 'INC-1',
  name: '燃气泄漏 · 预案',
  level: 3,
  status: 'active',
  cordonRadiusM: 200,
  tasks: [task('t1', 1, 10), task('t2', 2, 10), task('t3', 3, 10)],
  proposals: [],
  resourceIds: [],
  activatedAt: T(0),
  activatedBy: 'commander',
  stoodDownAt: null,
  stoodDownBy: null,
  version: 1,
};
const resource = (id: string, status: Resource['status'], operationId: string | null): Resource => ({
  id,
  name: `车 ${id}`,
  type: 'gas_crew',
  unit: 'u',
  home: { lng: 116, lat: 40 },
  homeName: 'h',
  status,
  location: { lng: 116, lat: 40 },
  incidentId: operationId ? 'INC-1' : null,
  operationId,
  dispatchId: operationId ? 'D' : null,
  updatedAt: T(0),
  version: 1,
});
const mode = (ids: string[]) => ({
  id: 'mode' as const,
  state: ids.length ? ('wartime' as const) : ('peacetime' as const),
  since: T(0),
  operationIds: ids,
});

let seq = 0;
const ev = (min: number, e: Omit<LiveEvent, 'seq' | 'at'>): LiveEvent =>
  ({ ...e, seq: ++seq, at: T(min) }) as LiveEvent;

function log(): LiveEvent[] {
  seq = 100;
  const dispatch = (id: string, min: number, r: string) =>
    ev(min, {
      type: 'dispatch.created',
      actor: 'commander',
      data: {
        id,
        resourceId: r,
        incidentId: 'INC-1',
        operationId: 'OP-1',
        at: T(min),
        actor: 'commander',
        distanceM: 100,
        etaMin: 1,
      },
    });
  return [
    ev(-1, { type: 'resource.updated', data: resource('R1', 'available', null) }), // before activation
    ev(0, { type: 'operation.activated', actor: 'commander', data: op }),
    ev(0, { type: 'mode.changed', actor: 'commander', data: mode(['OP-1']) }),
    ev(1, { type: 'resource.updated', data: resource('OTHER', 'dispatched', 'OP-2') }), // another operation's
    dispatch('D1', 2, 'R1'),
    ev(2, { type: 'resource.updated', data: resource('R1', 'dispatched', 'OP-1') }),
    dispatch('D2', 3, 'R2'),
    ev(3, { type: 'resource.updated', data: resource('R2', 'dispatched', 'OP-1') }),
    ev(5, {
      type: 'task.updated',
      data: { ...task('t1', 1, 10), status: 'done', doneAt: T(5), operationId: 'OP-1' },
    }),
    ev(10, {
      type: 'task.updated',
      actor: 'system:timer',
      data: { ...task('t2', 2, 10), overdue: true, operationId: 'OP-1' },
    }),
    ev(10, {
      type: 'task.updated',
      actor: 'system:timer',
      data: { ...task('t3', 3, 10), overdue: true, operationId: 'OP-1' },
    }),
    ev(12, {
      type: 'task.updated',
      data: { ...task('t2', 2, 10), status: 'done', overdue: true, doneAt: T(12), operationId: 'OP-1' },
    }),
    ev(14, {
      type: 'report.created',
      actor: 'liaison',
      data: { id: 'RPT-1', incidentId: 'INC-1', text: '<b>hi</b>', actor: 'liaison', at: T(14) },
    }),
    ev(15, {
      type: 'report.created',
      data: { id: 'RPT-2', incidentId: 'INC-9', text: 'elsewhere', actor: 'liaison', at: T(15) },
    }),
    ev(20, { type: 'resource.updated', data: resource('R1', 'out_of_service', null) }),
    ev(21, { type: 'resource.updated', data: resource('R1', 'available', null) }), // after release: still shown once
    ev(30, { type: 'resource.updated', data: resource('R2', 'returning', 'OP-1') }),
    ev(30, { type: 'mode.changed', data: mode([]) }),
    ev(30, {
      type: 'operation.stood_down',
      actor: 'commander',
      data: { ...op, status: 'stood_down', stoodDownAt: T(30), stoodDownBy: 'commander' },
    }),
    ev(31, { type: 'resource.updated', data: resource('R2', 'available', null) }), // after stand-down
  ];
}

describe('OperationEventFilter', () => {
  it('keeps the operation’s events from activation to stand-down and nothing else', () => {
    const f = new OperationEventFilter('OP-1');
    const kept = log()
      .filter((e) => f.accept(e))
      .map((e) => e.seq);
    // dropped: 101 (before), 104 (other op), 114 (other incident), 116 (R1 already released), 120 (after)
    expect(kept).toEqual([102, 103, 105, 106, 107, 108, 109, 110, 111, 112, 113, 115, 117, 118, 119]);
    expect(f.done).toBe(true);
  });
});

describe('computeAfterAction', () => {
  const f = new OperationEventFilter('OP-1');
  const timeline = log().filter((e) => f.accept(e));
  const rec = computeAfterAction(timeline, new Date(T(40)));

  it('counts tasks on time, late, not done from their last events', () => {
    expect(rec.tasks).toMatchObject({ total: 3, onTime: 1, late: 1, notDone: 1 });
    expect(rec.tasks.items.map((t) => t.outcome)).toEqual(['on_time', 'late', 'not_done']);
  });
  it('measures each resource from dispatch to release, and the operation from activation to stand-down', () => {
    expect(rec.durationMin).toBe(30);
    expect(rec.resources.items.map((r) => [r.resourceId, r.durationMin, r.releasedAs])).toEqual([
      ['R1', 18, 'out_of_service'],
      ['R2', 27, 'returning'],
    ]);
    expect(rec.resources).toMatchObject({ count: 2, totalMin: 45 });
    expect(rec.reportCount).toBe(1);
    expect(rec.timeline).toHaveLength(15);
  });
  it('refuses a timeline that is not a whole operation', () => {
    expect(() => computeAfterAction(timeline.slice(1))).toThrow(/operation.activated/);
    expect(() => computeAfterAction(timeline.slice(0, -1))).toThrow(/operation.stood_down/);
  });
  it('prints every user string escaped', () => {
    const html = renderAfterActionHtml({ ...rec, summary: '<script>x</script>', name: 'a"b' });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>hi</b>');
    expect(html).toContain('&lt;b&gt;hi&lt;/b&gt;');
    expect(html).toContain('a&quot;b');
  });

  it('shows people by display name (李强), actors it does not know as they are', () => {
    const names = new Map([['commander', '指挥长 李强']]);
    const named = withActorNames(rec, names);
    expect(named.activatedBy).toBe('commander');
    expect(named.activatedByName).toBe('指挥长 李强');
    expect(
      named.timeline.filter((t) => t.actor === 'commander').every((t) => t.actorName === '指挥长 李强'),
    ).toBe(true);
    expect(
      named.timeline.filter((t) => t.actor !== 'commander').every((t) => t.actorName === undefined),
    ).toBe(true);
    const html = renderAfterActionHtml(named);
    expect(html).toContain('指挥长 李强');
    expect(html).not.toMatch(/<td>commander<\/td>/);
  });
});
