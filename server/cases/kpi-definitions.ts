import type { CaseStatus, CaseStepRecord } from '../../shared/case.ts';
import type { ScoreWeights } from '../../shared/case-rules.ts';

/** What a KPI row is computed from: a case's status now and the steps it took. */
export type CaseFacts = { status: CaseStatus; steps: readonly CaseStepRecord[] };

export type KpiCounts = {
  accepted: number;
  voided: number;
  dispatched: number;
  handled: number;
  handledOnTime: number;
  reworks: number;
  extended: number;
  deferred: number;
  closed: number;
  closedOnTime: number;
  overdueOpen: number;
};
export type KpiRates = {
  timelinessRate: number | null;
  closureRate: number | null;
  onTimeClosureRate: number | null;
  reworkRate: number | null;
  score: number | null;
};

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/**
 * The figures exactly as the contract defines them ("Peacetime case handling", `GET /api/v1/kpis`),
 * from the cases' steps alone. The reference the KPI API is tested against: what anyone recomputes
 * from `GET /api/v1/cases/:id` must equal what the API answers.
 *
 * - a case is `dispatched`/`handled` once a `dispatch`/`handle` step of it finished, `extended`
 *   once any step was extended;
 * - `handledOnTime`: its last finished `handle` step was on time (extension included);
 * - `closedOnTime`: closed, and no finished step of it was late;
 * - `reworks`: failed inspections, counted each time;
 * - `overdueOpen`: not closed, voided or deferred, and the step it is in is past due at `now`.
 */
export function kpiCounts(cases: Iterable<CaseFacts>, now: number): KpiCounts {
  const k: KpiCounts = {
    accepted: 0,
    voided: 0,
    dispatched: 0,
    handled: 0,
    handledOnTime: 0,
    reworks: 0,
    extended: 0,
    deferred: 0,
    closed: 0,
    closedOnTime: 0,
    overdueOpen: 0,
  };
  for (const c of cases) {
    k.accepted++;
    if (c.status === 'voided') k.voided++;
    if (c.status === 'deferred') k.deferred++;
    const finished = c.steps.filter((s) => s.finishedAt !== undefined);
    if (finished.some((s) => s.step === 'dispatch')) k.dispatched++;
    const handles = finished.filter((s) => s.step === 'handle');
    if (handles.length) {
      k.handled++;
      if (handles[handles.length - 1].onTime) k.handledOnTime++;
    }
    k.reworks += c.steps.filter((s) => s.step === 'inspect' && s.passed === false).length;
    if (c.steps.some((s) => s.extension)) k.extended++;
    if (c.status === 'closed') {
      k.closed++;
      if (finished.every((s) => s.onTime)) k.closedOnTime++;
    }
    const current = c.steps[c.steps.length - 1];
    if (
      c.status !== 'closed' &&
      c.status !== 'voided' &&
      c.status !== 'deferred' &&
      current &&
      current.finishedAt === undefined &&
      Date.parse(current.dueAt) < now
    )
      k.overdueOpen++;
  }
  return k;
}

/** 及时率, 结案率, 按期结案率, 返工率 and the composite score 综合指标值; a zero denominator gives null. */
export function kpiRates(k: KpiCounts, w: ScoreWeights): KpiRates {
  const timelinessRate = ratio(k.handledOnTime, k.handled);
  const closureRate = ratio(k.closed, k.accepted - k.voided);
  const reworkRate = ratio(k.reworks, k.handled);
  const score =
    timelinessRate === null || closureRate === null || reworkRate === null
      ? null
      : w.timeliness * timelinessRate + w.closure * closureRate + w.rework * (1 - reworkRate);
  return {
    timelinessRate,
    closureRate,
    onTimeClosureRate: ratio(k.closedOnTime, k.closed),
    reworkRate,
    score,
  };
}
