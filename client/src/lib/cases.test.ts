import { describe, expect, it } from 'vitest';
import type { CaseStepRecord } from '../../../shared/case.ts';
import type { Incident } from '../../../shared/index.ts';
import {
  allowedActions,
  buildAction,
  currentStep,
  dueState,
  filterCases,
  formatCountdown,
  routedDepartment,
} from './cases.ts';

const T0 = Date.parse('2026-12-01T01:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const step = (over: Partial<CaseStepRecord> = {}): CaseStepRecord => ({
  step: 'verify',
  startedAt: iso(T0),
  dueAt: iso(T0 + 100_000),
  ...over,
});
const kase = (over: Partial<Incident> = {}): Incident =>
  ({
    id: 'c1',
    title: '井盖缺失',
    category: 'infrastructure',
    status: 'accepted',
    streetId: 's1',
    departmentId: null,
    level: 'community',
    steps: [step()],
    createdAt: iso(T0),
    ...over,
  }) as Incident;

describe('case actions', () => {
  it('offers only what the status allows, to whom it is allowed', () => {
    expect(allowedActions(kase(), 'duty')).toEqual([
      'verify',
      'answer',
      'extend',
      'escalate',
      'defer',
      'void',
    ]);
    expect(allowedActions(kase({ status: 'dispatched' }), 'department')).toEqual(['handle', 'extend']);
    expect(allowedActions(kase({ status: 'dispatched' }), 'duty')).not.toContain('handle');
    expect(allowedActions(kase({ status: 'accepted' }), 'department')).toEqual(['extend']);
    expect(allowedActions(kase({ status: 'deferred' }), 'subcentre')).toEqual([
      'extend',
      'escalate',
      'resume',
      'void',
    ]);
    expect(allowedActions(kase({ status: 'dispatched' }), 'duty')).toEqual([
      'extend',
      'escalate',
      'defer',
      'void',
    ]);
    expect(allowedActions(kase({ status: 'closed' }), 'commander')).toEqual([]);
    expect(allowedActions(kase(), 'admin')).toEqual([]);
  });

  it('extends once per step and escalates up to the district', () => {
    const extended = step({
      extension: { amount: 1, unit: 'hours', reason: 'r', at: iso(T0), actor: 'd', previousDueAt: iso(T0) },
    });
    expect(allowedActions(kase({ steps: [extended] }), 'duty')).not.toContain('extend');
    expect(allowedActions(kase({ level: 'district' }), 'duty')).not.toContain('escalate');
  });

  it('checks a form with the shared schema, field by field', () => {
    expect(buildAction('handle', { note: '' })).toMatchObject({
      ok: false,
      issues: { note: expect.any(String) },
    });
    expect(buildAction('extend', { amount: '', unit: 'hours', reason: 'x' })).toMatchObject({
      ok: false,
      issues: { amount: expect.any(String) },
    });
    expect(buildAction('extend', { amount: '2', unit: 'work_days', reason: '材料未到' })).toEqual({
      ok: true,
      body: { action: 'extend', amount: 2, unit: 'work_days', reason: '材料未到' },
    });
    expect(buildAction('dispatch', { departmentId: '' })).toEqual({ ok: true, body: { action: 'dispatch' } });
    expect(buildAction('inspect', { passed: false })).toEqual({
      ok: true,
      body: { action: 'inspect', passed: false },
    });
  });
});

describe('due times', () => {
  it('is due soon past 80 % and overdue past 100 % (or by the server flag)', () => {
    expect(dueState(step(), T0 + 50_000)).toBe('ok');
    expect(dueState(step(), T0 + 80_000)).toBe('dueSoon');
    expect(dueState(step(), T0 + 100_000)).toBe('overdue');
    expect(dueState(step({ overdue: true }), T0)).toBe('overdue');
    expect(dueState(step({ finishedAt: iso(T0 + 200_000) }), T0 + 300_000)).toBe('ok');
  });

  it('counts down, and up once late', () => {
    expect(formatCountdown(iso(T0 + 90_061_000), T0, 'd')).toBe('1d 01:01:01');
    expect(formatCountdown(iso(T0), T0 + 5_000, 'd')).toBe('−00:00:05');
  });

  it('has no current step when deferred or finished', () => {
    expect(currentStep(kase({ status: 'deferred' }))).toBeNull();
    expect(currentStep(kase({ steps: [step({ finishedAt: iso(T0) })] }))).toBeNull();
  });

  it('filters the board and puts the most urgent first', () => {
    const a = kase({ id: 'a', steps: [step({ dueAt: iso(T0 + 500_000) })] });
    const b = kase({ id: 'b', steps: [step({ dueAt: iso(T0 + 10_000) })], departmentId: 'd1' });
    expect(filterCases([a, b], {}, T0).map((c) => c.id)).toEqual(['b', 'a']);
    expect(filterCases([a, b], { departmentId: 'd1' }, T0).map((c) => c.id)).toEqual(['b']);
    expect(filterCases([a, b], { overdue: true }, T0 + 20_000).map((c) => c.id)).toEqual(['b']);
  });

  it('routes by the most specific rule', () => {
    const routing = [
      { category: 'fire', departmentId: 'district' },
      { category: 'fire', streetId: 's1', departmentId: 'street' },
    ];
    expect(routedDepartment(routing, { category: 'fire', streetId: 's1' })).toBe('street');
    expect(routedDepartment(routing, { category: 'fire', streetId: 's2' })).toBe('district');
    expect(routedDepartment(routing, { category: 'flood', streetId: 's2' })).toBeNull();
  });
});
