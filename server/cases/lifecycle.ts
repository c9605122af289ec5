import type { CaseAction, CaseActionName, CaseLevel, CaseStatus, CaseStepRecord } from '../../shared/case.ts';
import type { CaseRulesInput, CaseStep } from '../../shared/case-rules.ts';
import type { Role } from '../../shared/common.ts';
import type { Incident } from '../../shared/incident.ts';
import { conflict, forbidden, invalid, notFound } from '../infra/domain-errors.ts';
import { canSee } from '../identity/scope.ts';
import type { WorkingCalendar } from './calendar.ts';
import { limitFor, routeCase } from './default-rules.ts';

/**
 * The case lifecycle as a pure function: (case, action, actor, now, rules, calendar) → the next
 * version of the case, or the domain error that refuses it (404 out of scope, 403 wrong role, 409
 * wrong status). No I/O: the service reads, calls this, and commits the result.
 *
 * Deferral (挂账) does not stop the clock: the running step stays as it is, its due time included,
 * so a deferred case is still judged on it (KPIs leave deferred cases out of `overdueOpen`), and
 * `resume` returns to the status it was deferred from. More time is what `extend` is for.
 */

/** Who acts, with the scope a scoped role is bound to. */
export type CaseActor = { name: string; role: Role; streetId?: string; departmentId?: string };

export type LifecycleContext = {
  now: Date;
  /** The rules of the case's own version (a case keeps the version it was accepted under). */
  rules: Pick<CaseRulesInput, 'routing' | 'limits'>;
  calendar: WorkingCalendar;
  /** Department ids a dispatch may name. */
  departments: ReadonlySet<string>;
  /**
   * The old `PATCH /api/v1/incidents/:id` (duty, commander): the centre recording a department's
   * report on its behalf, so `handle` is allowed there, as that route always allowed it.
   */
  onBehalf?: boolean;
};

/** The statuses each action may start from. */
export const ACTION_FROM: Record<CaseActionName, readonly CaseStatus[]> = {
  verify: ['accepted'],
  answer: ['accepted', 'verified'],
  void: ['accepted', 'verified', 'dispatched', 'handled', 'inspected', 'deferred'],
  dispatch: ['verified'],
  handle: ['dispatched'],
  inspect: ['handled'],
  close: ['inspected'],
  defer: ['accepted', 'verified', 'dispatched', 'handled', 'inspected'],
  resume: ['deferred'],
  extend: ['accepted', 'verified', 'dispatched', 'handled', 'inspected', 'deferred'],
  escalate: ['accepted', 'verified', 'dispatched', 'handled', 'inspected', 'deferred'],
};

/** What a department may do on its own cases; everything else is the centre's and the sub-centre's. */
export const DEPARTMENT_ACTIONS: readonly CaseActionName[] = ['handle', 'extend'];
const CENTRE_ROLES: readonly Role[] = ['duty', 'commander', 'subcentre'];

const NEXT_LEVEL: Record<CaseLevel, CaseLevel | null> = {
  community: 'street',
  street: 'district',
  district: null,
};

/** Whether a case is within the actor's scope (the centre's roles see every case). */
export function inScope(c: Pick<Incident, 'streetId' | 'departmentId'>, actor: CaseActor): boolean {
  return canSee(actor, c);
}

/** 404 out of scope (existence is not revealed), else 403 for an action the role may not take. */
export function authorize(
  c: Pick<Incident, 'id' | 'streetId' | 'departmentId'>,
  action: CaseActionName,
  actor: CaseActor,
  onBehalf = false,
): void {
  if (!inScope(c, actor)) throw notFound(`case ${c.id}`);
  if (actor.role === 'department') {
    if (!DEPARTMENT_ACTIONS.includes(action))
      throw forbidden(`a department may only handle its cases or extend them, not ${action}`);
    return;
  }
  if (!CENTRE_ROLES.includes(actor.role)) throw forbidden(`role "${actor.role}" may not act on cases`);
  if (action === 'handle' && !(onBehalf && actor.role !== 'subcentre'))
    throw forbidden('only the department the case is dispatched to reports it handled');
}

/** The level a case starts at: the lowest of the grid that holds it. */
export function startLevel(c: Pick<Incident, 'communityId' | 'streetId'>): CaseLevel {
  return c.communityId ? 'community' : c.streetId ? 'street' : 'district';
}

/** A step starting now, due by its limit on the calendar. */
export function startStep(
  step: CaseStep,
  category: Incident['category'],
  rules: Pick<CaseRulesInput, 'limits'>,
  calendar: WorkingCalendar,
  now: Date,
): CaseStepRecord {
  const limit = limitFor(rules, category, step);
  if (!limit) throw conflict(`the case rules have no time limit for ${category} / ${step}`);
  const dueAt = calendar.due(now.getTime(), limit.amount, limit.unit);
  return { step, startedAt: now.toISOString(), dueAt: new Date(dueAt).toISOString() };
}

/** The step that is running (the last one, unfinished), with its index. */
export function runningStep(c: Pick<Incident, 'steps'>): { index: number; step: CaseStepRecord } | null {
  const i = c.steps.length - 1;
  return i >= 0 && c.steps[i].finishedAt === undefined ? { index: i, step: c.steps[i] } : null;
}

function finishRunning(
  steps: CaseStepRecord[],
  at: string,
  actor: string,
  extra: Partial<CaseStepRecord> = {},
): CaseStepRecord[] {
  const i = steps.length - 1;
  if (i < 0 || steps[i].finishedAt !== undefined) return steps;
  const s = steps[i];
  const done: CaseStepRecord = {
    ...s,
    finishedAt: at,
    onTime: Date.parse(at) <= Date.parse(s.dueAt),
    actor,
    ...extra,
  };
  return [...steps.slice(0, i), done];
}

const noteOf = (a: CaseAction): string | undefined => {
  switch (a.action) {
    case 'void':
    case 'defer':
    case 'escalate':
    case 'extend':
      return a.reason;
    case 'answer':
      return a.text;
    default:
      return a.note;
  }
};

export function applyAction(c: Incident, a: CaseAction, actor: CaseActor, ctx: LifecycleContext): Incident {
  authorize(c, a.action, actor, ctx.onBehalf);
  if (!ACTION_FROM[a.action].includes(c.status))
    throw conflict(`case ${c.id} is ${c.status}; ${a.action} does not fit it`);
  const at = ctx.now.toISOString();
  const start = (step: CaseStep) => startStep(step, c.category, ctx.rules, ctx.calendar, ctx.now);
  const finish = (extra?: Partial<CaseStepRecord>) => finishRunning(c.steps, at, actor.name, extra);
  let next: Partial<Incident>;
  let ref: string | undefined;
  switch (a.action) {
    case 'verify':
      next = { status: 'verified', steps: [...finish(), start('dispatch')] };
      break;
    case 'answer':
      next = { status: 'closed', steps: finish(), answer: a.text };
      break;
    case 'void':
      next = { status: 'voided' };
      break;
    case 'dispatch': {
      const departmentId = a.departmentId ?? routeCase(ctx.rules, c.category, c.streetId);
      if (a.departmentId !== undefined && !ctx.departments.has(a.departmentId))
        throw invalid('departmentId', `unknown department "${a.departmentId}"`);
      if (!departmentId) throw conflict(`the case rules route ${c.category} nowhere`);
      ref = departmentId;
      next = { status: 'dispatched', departmentId, steps: [...finish(), start('handle')] };
      break;
    }
    case 'handle':
      next = { status: 'handled', steps: [...finish(), start('inspect')] };
      break;
    case 'inspect':
      // A failed inspection is a rework (返工): back to the same department, a new handling step.
      next = a.passed
        ? { status: 'inspected', steps: [...finish({ passed: true }), start('close')] }
        : { status: 'dispatched', steps: [...finish({ passed: false }), start('handle')] };
      break;
    case 'close':
      next = { status: 'closed', steps: finish() };
      break;
    case 'defer':
      next = { status: 'deferred', deferredFrom: c.status };
      break;
    case 'resume':
      next = { status: c.deferredFrom ?? 'accepted', deferredFrom: undefined };
      break;
    case 'extend': {
      const run = runningStep(c);
      if (!run) throw conflict(`case ${c.id} has no step running to extend`);
      if (run.step.extension)
        throw conflict(`the ${run.step.step} step of case ${c.id} was extended already`);
      const dueAt = new Date(ctx.calendar.due(Date.parse(run.step.dueAt), a.amount, a.unit)).toISOString();
      // The flags belonged to the old due time; the new one gets its own timers.
      const { dueSoon: _s, overdue: _o, ...rest } = run.step;
      const extended: CaseStepRecord = {
        ...rest,
        dueAt,
        extension: {
          amount: a.amount,
          unit: a.unit,
          reason: a.reason,
          at,
          actor: actor.name,
          previousDueAt: run.step.dueAt,
        },
      };
      next = { steps: [...c.steps.slice(0, run.index), extended] };
      break;
    }
    case 'escalate': {
      const level = NEXT_LEVEL[c.level];
      if (!level) throw conflict(`case ${c.id} is at district level already`);
      next = { level };
      break;
    }
  }
  const note = noteOf(a);
  const result: Incident = {
    ...c,
    ...next,
    updatedAt: at,
    lastAction: {
      at,
      action: a.action,
      actor: actor.name,
      ...(note ? { note } : {}),
      ...(ref ? { ref } : {}),
    },
    version: c.version + 1,
  };
  if (result.deferredFrom === undefined) delete result.deferredFrom;
  return result;
}

/**
 * The actions the old `PATCH {status}` stands for from the case's status: each step of the main
 * line up to the one asked for (an inspection passes), in order. Empty when it is not ahead.
 */
const MAIN: readonly CaseStatus[] = ['accepted', 'verified', 'dispatched', 'handled', 'inspected', 'closed'];
const STEP_ACTION: Partial<Record<CaseStatus, CaseAction>> = {
  verified: { action: 'verify' },
  dispatched: { action: 'dispatch' },
  handled: { action: 'handle', note: '' },
  inspected: { action: 'inspect', passed: true },
  closed: { action: 'close' },
};

export function patchActions(from: CaseStatus, to: CaseStatus, note?: string): CaseAction[] {
  if (to === 'voided') return [{ action: 'void', reason: note || '作废' }];
  if (to === 'deferred') return [{ action: 'defer', reason: note || '挂账' }];
  const i = MAIN.indexOf(from);
  const j = MAIN.indexOf(to);
  if (i < 0 || j <= i) return [];
  return MAIN.slice(i + 1, j + 1).map((s, k, all) => {
    const a = STEP_ACTION[s]!;
    // The note goes with the last step, the one the caller asked for.
    if (k !== all.length - 1 || !note) return a;
    if (a.action === 'inspect' || a.action === 'handle') return { ...a, note };
    return { ...a, note } as CaseAction;
  });
}
