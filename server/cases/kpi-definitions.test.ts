import { describe, expect, it } from 'vitest';
import type { CaseStepRecord } from '../../shared/case.ts';
import { kpiCounts, kpiRates } from './kpi-definitions.ts';

const t = (h: number) => new Date(Date.UTC(2026, 10, 2, h)).toISOString();
const step = (
  s: CaseStepRecord['step'],
  start: number,
  due: number,
  end?: number,
  extra: Partial<CaseStepRecord> = {},
) =>
  ({
    step: s,
    startedAt: t(start),
    dueAt: t(due),
    ...(end !== undefined ? { finishedAt: t(end), onTime: end <= due } : {}),
    ...extra,
  }) as CaseStepRecord;

describe('the KPI definitions', () => {
  const onTimeClosed = {
    status: 'closed' as const,
    steps: [
      step('verify', 0, 1, 1),
      step('dispatch', 1, 2, 2),
      step('handle', 2, 5, 4),
      step('inspect', 4, 6, 5, { passed: true }),
      step('close', 5, 7, 6),
    ],
  };
  const reworkedLate = {
    status: 'closed' as const,
    steps: [
      step('verify', 0, 1, 1),
      step('dispatch', 1, 2, 2),
      step('handle', 2, 3, 3),
      step('inspect', 3, 4, 4, { passed: false }),
      step('handle', 4, 5, 6),
      step('inspect', 6, 7, 7, { passed: true }),
      step('close', 7, 8, 8),
    ],
  };
  const extendedOpen = {
    status: 'dispatched' as const,
    steps: [
      step('verify', 0, 1, 1),
      step('dispatch', 1, 2, 2),
      step('handle', 2, 9, undefined, {
        extension: {
          amount: 4,
          unit: 'hours',
          reason: '等待配件',
          at: t(3),
          actor: 'dept',
          previousDueAt: t(5),
        },
      }),
    ],
  };
  const overdue = { status: 'accepted' as const, steps: [step('verify', 0, 1)] };
  const voided = { status: 'voided' as const, steps: [step('verify', 0, 1, 0)] };
  const deferred = { status: 'deferred' as const, steps: [step('verify', 0, 1, 1), step('dispatch', 1, 2)] };

  it('count cases as the contract defines them', () => {
    const k = kpiCounts(
      [onTimeClosed, reworkedLate, extendedOpen, overdue, voided, deferred],
      Date.parse(t(12)),
    );
    expect(k).toEqual({
      accepted: 6,
      voided: 1,
      dispatched: 3,
      handled: 2,
      handledOnTime: 1,
      reworks: 1,
      extended: 1,
      deferred: 1,
      closed: 2,
      closedOnTime: 1,
      // the extended case is due at 09:00 and it is 12:00; the deferred one does not count
      overdueOpen: 2,
    });
    const r = kpiRates(k, { timeliness: 60, closure: 30, rework: 10 });
    expect(r.timelinessRate).toBe(0.5);
    expect(r.closureRate).toBe(2 / 5);
    expect(r.onTimeClosureRate).toBe(0.5);
    expect(r.reworkRate).toBe(0.5);
    expect(r.score).toBeCloseTo(60 * 0.5 + 30 * 0.4 + 10 * 0.5);
  });

  it('give null for a zero denominator', () => {
    const r = kpiRates(kpiCounts([overdue], 0), { timeliness: 60, closure: 30, rework: 10 });
    expect(r).toMatchObject({
      timelinessRate: null,
      closureRate: 0,
      onTimeClosureRate: null,
      reworkRate: null,
      score: null,
    });
    expect(kpiRates(kpiCounts([], 0), { timeliness: 1, closure: 1, rework: 1 }).closureRate).toBeNull();
  });
});
