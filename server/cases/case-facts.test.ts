import { describe, expect, it } from 'vitest';
import type { CaseStepRecord } from '../../shared/case.ts';
import type { Incident } from '../../shared/incident.ts';
import { caseFacts } from './case-facts.ts';

const at = (h: number) => new Date(Date.UTC(2026, 10, 2, h)).toISOString();
const step = (s: Partial<CaseStepRecord> & Pick<CaseStepRecord, 'step'>): CaseStepRecord => ({
  startedAt: at(0),
  dueAt: at(2),
  ...s,
});
const inc = (extra: Partial<Incident>): Incident =>
  ({
    id: 'INC-1',
    category: 'traffic',
    status: 'accepted',
    createdAt: at(0),
    streetId: '110108001',
    departmentId: null,
    steps: [],
    ...extra,
  }) as Incident;

describe('caseFacts', () => {
  it('marks a closed case that was reworked, extended and late once', () => {
    const f = caseFacts(
      inc({
        status: 'closed',
        departmentId: 'dept-jgzd',
        steps: [
          step({ step: 'verify', finishedAt: at(1), onTime: true }),
          step({ step: 'dispatch', finishedAt: at(3), onTime: false }),
          step({ step: 'handle', finishedAt: at(4), onTime: false }),
          step({ step: 'inspect', finishedAt: at(5), onTime: true, passed: false }),
          step({
            step: 'handle',
            finishedAt: at(6),
            onTime: true,
            extension: {
              amount: 1,
              unit: 'days',
              reason: '待材料',
              at: at(5),
              actor: 'dept',
              previousDueAt: at(5),
            },
          }),
          step({ step: 'inspect', finishedAt: at(7), onTime: true, passed: true }),
          step({ step: 'close', finishedAt: at(8), onTime: true }),
        ],
      }),
      9,
    );
    expect(f).toMatchObject({
      id: 'INC-1',
      accepted_at: at(0),
      status: 'closed',
      department_id: 'dept-jgzd',
      closed: true,
      voided: false,
      deferred: false,
      ever_dispatched: true,
      ever_handled: true,
      handled_on_time: true,
      extended: true,
      closed_on_time: false,
      reworks: 1,
      current_due_at: null,
      last_seq: 9,
    });
  });

  it('keeps the due time of the running step while the case counts as open', () => {
    const running = [
      step({ step: 'verify', finishedAt: at(1), onTime: true }),
      step({ step: 'dispatch', dueAt: at(5) }),
    ];
    expect(caseFacts(inc({ status: 'verified', steps: running }), 1).current_due_at).toBe(at(5));
    // Deferred or voided cases are not overdue-open whatever their step.
    expect(caseFacts(inc({ status: 'deferred', steps: running }), 1).current_due_at).toBeNull();
    expect(caseFacts(inc({ status: 'voided', steps: running }), 1).current_due_at).toBeNull();
  });

  it('takes an incident from before peacetime handling (no steps) as having taken none', () => {
    const old = inc({});
    delete (old as Partial<Incident>).steps;
    delete (old as Partial<Incident>).departmentId;
    expect(caseFacts(old, 3)).toMatchObject({
      ever_dispatched: false,
      ever_handled: false,
      department_id: null,
      current_due_at: null,
      reworks: 0,
    });
  });
});
