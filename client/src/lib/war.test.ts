import { describe, expect, it } from 'vitest';
import { distanceM, type OperationTask } from '../../../shared/index.ts';
import {
  newestAlarm,
  openProposals,
  activeOperations,
  circleBounds,
  circleRing,
  clockText,
  dueInMs,
  elapsedMs,
  focusIncidentIds,
  focusedOperation,
  mergeReports,
  nextCaseStatus,
  resourceNextStatuses,
  taskActions,
  taskBoard,
  taskColumn,
} from './war.ts';
import { operation, T0 } from './testing/fixtures.ts';

const t0 = Date.parse(T0);
const task = (id: string, patch: Partial<OperationTask> = {}): OperationTask => ({
  id,
  title: id,
  titleEn: id,
  unit: 'u',
  role: 'liaison',
  order: 1,
  status: 'pending',
  dueAt: new Date(t0 + 10 * 60_000).toISOString(),
  overdue: false,
  doneAt: null,
  updatedAt: T0,
  ...patch,
});

describe('operations', () => {
  it('lists active operations newest first and focuses the chosen one while it runs', () => {
    const a = operation('a', { activatedAt: '2024-06-01T08:00:00.000Z' });
    const b = operation('b', { activatedAt: '2024-06-01T09:00:00.000Z' });
    const c = operation('c', { activatedAt: '2024-06-01T10:00:00.000Z', status: 'stood_down' });
    const active = activeOperations([a, b, c]);
    expect(active.map((o) => o.id)).toEqual(['b', 'a']);
    expect(focusedOperation(active, null)?.id).toBe('b');
    expect(focusedOperation(active, 'a')?.id).toBe('a');
    expect(focusedOperation(active, 'c')?.id).toBe('b');
    expect(focusedOperation([], 'a')).toBeNull();
    expect([...focusIncidentIds([a, c])]).toEqual([a.incidentId]);
  });
});

describe('task board', () => {
  it('puts each task in its column; past due and not done is overdue', () => {
    expect(taskColumn(task('t'), t0)).toBe('pending');
    expect(taskColumn(task('t', { status: 'in_progress' }), t0)).toBe('in_progress');
    expect(taskColumn(task('t', { status: 'blocked' }), t0)).toBe('blocked');
    // the server's timer flag, or the clock running past dueAt before the event arrives
    expect(taskColumn(task('t', { overdue: true }), t0)).toBe('overdue');
    expect(taskColumn(task('t'), t0 + 11 * 60_000)).toBe('overdue');
    // done stays done, even late
    expect(taskColumn(task('t', { status: 'done', overdue: true }), t0 + 11 * 60_000)).toBe('done');
  });

  it('groups tasks by column, earliest due first', () => {
    const late = task('late', { dueAt: new Date(t0 + 30 * 60_000).toISOString() });
    const soon = task('soon', { dueAt: new Date(t0 + 5 * 60_000).toISOString() });
    const b = taskBoard([late, soon, task('d', { status: 'done' })], t0);
    expect(b.pending.map((t) => t.id)).toEqual(['soon', 'late']);
    expect(b.done.map((t) => t.id)).toEqual(['d']);
    expect(b.overdue).toEqual([]);
  });

  it('counts down to the due time and past it', () => {
    expect(dueInMs(task('t'), t0)).toBe(600_000);
    expect(clockText(600_000)).toBe('10:00');
    expect(clockText(-65_000)).toBe('-01:05');
    expect(clockText(3_725_000)).toBe('1:02:05');
    expect(clockText(999)).toBe('00:00');
    expect(elapsedMs(T0, t0 + 5000)).toBe(5000);
    expect(elapsedMs(T0, t0 - 5000)).toBe(0);
  });

  it('offers every other status as a button', () => {
    expect(taskActions('pending')).toEqual(['in_progress', 'done', 'blocked']);
    expect(taskActions('done')).toEqual(['in_progress', 'blocked', 'pending']);
  });
});

describe('lifecycles', () => {
  it('moves a case one step forward until closed', () => {
    expect(nextCaseStatus('accepted')).toBe('verified');
    expect(nextCaseStatus('inspected')).toBe('closed');
    expect(nextCaseStatus('closed')).toBeNull();
  });

  it('offers a resource only the field statuses its lifecycle allows', () => {
    expect(resourceNextStatuses('dispatched')).toEqual(['en_route', 'returning']);
    expect(resourceNextStatuses('en_route')).toEqual(['on_scene', 'returning']);
    expect(resourceNextStatuses('on_scene')).toEqual(['returning']);
    expect(resourceNextStatuses('returning')).toEqual(['available']);
    expect(resourceNextStatuses('available')).toEqual([]);
  });
});

describe('cordon', () => {
  it('draws a closed ring at the radius', () => {
    const c = { lng: 116.31, lat: 39.97 };
    const ring = circleRing(c, 200, 32);
    expect(ring).toHaveLength(33);
    expect(ring[0]).toEqual(ring[32]);
    for (const [lng, lat] of ring) expect(distanceM(c, { lng, lat })).toBeCloseTo(200, -1);
    const [[w, s], [e, n]] = circleBounds(c, 200);
    expect(distanceM(c, { lng: e, lat: c.lat })).toBeCloseTo(200, -1);
    expect(distanceM(c, { lng: c.lng, lat: n })).toBeCloseTo(200, -1);
    expect(w).toBeLessThan(c.lng);
    expect(s).toBeLessThan(c.lat);
  });
});

describe('reports', () => {
  it('merges fetched and live reports once each, oldest first', () => {
    const r = (id: string, at: string) => ({ id, incidentId: 'i', text: id, actor: 'l', at });
    const merged = mergeReports(
      [r('b', '2024-06-01T08:02:00Z'), r('a', '2024-06-01T08:01:00Z')],
      [r('b', '2024-06-01T08:02:00Z'), r('c', '2024-06-01T08:03:00Z')],
      undefined,
    );
    expect(merged.map((x) => x.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('acting on an alarm', () => {
  it('offers only the proposals whose resource is available now', () => {
    const res = new Map([
      ['R1', { status: 'available' as const }],
      ['R2', { status: 'dispatched' as const }],
    ]);
    const ps = [{ resourceId: 'R1' }, { resourceId: 'R2' }, { resourceId: 'R3' }];
    expect(openProposals(ps, res)).toEqual([{ resourceId: 'R1' }]);
  });

  it('opens the newest unacknowledged alarm, else the newest open I/II emergency without an operation', () => {
    const inc = (id: string, over: Record<string, unknown> = {}) => ({
      id,
      kind: 'emergency' as const,
      severity: 2 as const,
      status: 'accepted' as const,
      operationIds: [] as string[],
      createdAt: `2026-01-01T00:00:0${id.slice(1)}Z`,
      ...over,
    });
    expect(newestAlarm(['I1', 'I2'], [])).toBe('I2');
    const list = [
      inc('I1'),
      inc('I2'),
      inc('I3', { severity: 3 }),
      inc('I4', { operationIds: ['OP1'] }),
      inc('I5', { kind: 'case' }),
      inc('I6', { status: 'closed' }),
    ];
    expect(newestAlarm([], list)).toBe('I2');
    expect(newestAlarm([], [])).toBeNull();
  });
});
