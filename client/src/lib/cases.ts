/**
 * PURE: what the case board, the inbox and the wall read off a case (案卷): its current step and
 * how near its due time is, which actions its status allows for a role, the board's filters, and
 * an action form checked with the shared `CaseAction` schema before it is sent.
 */
import {
  CaseAction,
  type CaseActionName,
  type CaseStatus,
  type CaseStepRecord,
} from '../../../shared/case.ts';
import type { Role } from '../../../shared/common.ts';
import type { Incident } from '../../../shared/incident.ts';

/** The actions the contract lists, in the order a board shows them. */
export const CASE_ACTIONS: readonly CaseActionName[] = [
  'verify',
  'answer',
  'dispatch',
  'handle',
  'inspect',
  'close',
  'extend',
  'escalate',
  'defer',
  'resume',
  'void',
];

/**
 * The statuses each action may start from (the server answers 409 to the others): the same table
 * as the lifecycle's `ACTION_FROM` (server/cases/lifecycle.ts), which the client may not import.
 */
const OPEN: readonly CaseStatus[] = ['accepted', 'verified', 'dispatched', 'handled', 'inspected'];
export const ACTION_FROM: Record<CaseActionName, readonly CaseStatus[]> = {
  verify: ['accepted'],
  answer: ['accepted', 'verified'],
  void: [...OPEN, 'deferred'],
  dispatch: ['verified'],
  handle: ['dispatched'],
  inspect: ['handled'],
  close: ['inspected'],
  defer: OPEN,
  resume: ['deferred'],
  extend: [...OPEN, 'deferred'],
  escalate: [...OPEN, 'deferred'],
};

/** The case's department may only report it handled and extend; the centre and sub-centre all but handle. */
export function roleMay(role: Role | undefined, action: CaseActionName): boolean {
  if (role === 'department') return action === 'handle' || action === 'extend';
  if (role === 'duty' || role === 'commander' || role === 'subcentre') return action !== 'handle';
  return false;
}

export const isOpenCase = (c: Pick<Incident, 'status'>): boolean =>
  c.status !== 'closed' && c.status !== 'voided';

/** The step still running: the last one, while unfinished (a deferred case keeps it). */
export function runningStep(c: Pick<Incident, 'steps' | 'status'>): CaseStepRecord | null {
  if (!isOpenCase(c)) return null;
  const s = c.steps[c.steps.length - 1];
  return s && s.finishedAt === undefined ? s : null;
}

/** The step the case is in and whose due time counts: none while deferred (挂账 stops the clock's weight). */
export function currentStep(c: Pick<Incident, 'steps' | 'status'>): CaseStepRecord | null {
  return c.status === 'deferred' ? null : runningStep(c);
}

/** The actions shown for this case to this user, in board order. */
export function allowedActions(
  c: Pick<Incident, 'status' | 'steps'>,
  role: Role | undefined,
): CaseActionName[] {
  const step = runningStep(c);
  return CASE_ACTIONS.filter(
    (a) =>
      ACTION_FROM[a].includes(c.status) &&
      roleMay(role, a) &&
      // once per step (延期)
      !(a === 'extend' && (!step || step.extension)) &&
      // escalation stops at the district
      !(a === 'escalate' && 'level' in c && c.level === 'district'),
  );
}

export type DueState = 'ok' | 'dueSoon' | 'overdue';

/** Overdue once past due (the server's flag or the clock); due soon past 80 % of the limit. */
export function dueState(step: CaseStepRecord | null, now: number): DueState {
  if (!step || step.finishedAt !== undefined) return 'ok';
  const due = Date.parse(step.dueAt);
  if (step.overdue || now >= due) return 'overdue';
  const start = Date.parse(step.startedAt);
  if (step.dueSoon || now >= start + 0.8 * (due - start)) return 'dueSoon';
  return 'ok';
}

/** "1 d 02:03:04" style countdown parts: negative when past due. */
export function countdown(
  dueAt: string,
  now: number,
): { late: boolean; d: number; h: number; m: number; s: number } {
  const ms = Date.parse(dueAt) - now;
  const late = ms < 0;
  let t = Math.floor(Math.abs(ms) / 1000);
  const s = t % 60;
  t = Math.floor(t / 60);
  const m = t % 60;
  t = Math.floor(t / 60);
  const h = t % 24;
  return { late, d: Math.floor(t / 24), h, m, s };
}

export function formatCountdown(dueAt: string, now: number, dayUnit: string): string {
  const c = countdown(dueAt, now);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${c.late ? '−' : ''}${c.d ? `${c.d}${dayUnit} ` : ''}${pad(c.h)}:${pad(c.m)}:${pad(c.s)}`;
}

/** Cases whose current step is due soon or overdue, the most urgent (earliest due) first. */
export function urgentCases(cases: readonly Incident[], now: number): { c: Incident; state: DueState }[] {
  const out: { c: Incident; state: DueState; due: number }[] = [];
  for (const c of cases) {
    const step = currentStep(c);
    const state = dueState(step, now);
    if (step && state !== 'ok') out.push({ c, state, due: Date.parse(step.dueAt) });
  }
  out.sort((a, b) => a.due - b.due);
  return out;
}

export interface CaseFilter {
  status?: CaseStatus | '';
  streetId?: string;
  departmentId?: string;
  category?: string;
  overdue?: boolean;
  text?: string;
}

/** The board: the filtered cases, the most urgent first, then the newest. */
export function filterCases(cases: readonly Incident[], f: CaseFilter, now: number): Incident[] {
  const q = f.text?.trim().toLowerCase() ?? '';
  const list = cases.filter(
    (c) =>
      (!f.status || c.status === f.status) &&
      (!f.streetId || c.streetId === f.streetId) &&
      (!f.departmentId || c.departmentId === f.departmentId) &&
      (!f.category || c.category === f.category) &&
      (!f.overdue || dueState(currentStep(c), now) === 'overdue') &&
      (!q ||
        c.title.toLowerCase().includes(q) ||
        (c.address ?? '').toLowerCase().includes(q) ||
        c.id.toLowerCase().includes(q)),
  );
  const due = (c: Incident) => {
    const s = currentStep(c);
    return s ? Date.parse(s.dueAt) : Infinity;
  };
  return list.sort((a, b) => due(a) - due(b) || b.createdAt.localeCompare(a.createdAt));
}

/** What an action form holds while it is filled in (strings, as inputs give them). */
export interface ActionDraft {
  text?: string;
  reason?: string;
  note?: string;
  departmentId?: string;
  passed?: boolean;
  amount?: string;
  unit?: string;
}

/** The draft as the action's body, checked with the shared schema: the body, or the message per field. */
export function buildAction(
  action: CaseActionName,
  d: ActionDraft,
): { ok: true; body: CaseAction } | { ok: false; issues: Record<string, string> } {
  const opt = (s: string | undefined) => (s && s.trim() ? s : undefined);
  let raw: Record<string, unknown>;
  switch (action) {
    case 'answer':
      raw = { action, text: d.text ?? '' };
      break;
    case 'void':
    case 'defer':
    case 'escalate':
      raw = { action, reason: d.reason ?? '' };
      break;
    case 'dispatch':
      raw = { action, departmentId: opt(d.departmentId), note: opt(d.note) };
      break;
    case 'handle':
      raw = { action, note: d.note ?? '' };
      break;
    case 'inspect':
      raw = { action, passed: d.passed ?? true, note: opt(d.note) };
      break;
    case 'extend':
      raw = {
        action,
        amount: d.amount === undefined || d.amount.trim() === '' ? Number.NaN : Number(d.amount),
        unit: d.unit ?? 'hours',
        reason: d.reason ?? '',
      };
      break;
    default:
      raw = { action, note: opt(d.note) };
  }
  for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
  const r = CaseAction.safeParse(raw);
  if (r.success) return { ok: true, body: r.data };
  const issues: Record<string, string> = {};
  for (const i of r.error.issues) issues[String(i.path[0] ?? 'action')] ??= i.message;
  return { ok: false, issues };
}

/** The department the routing rules give a case: its category in its street, else the category's default. */
export function routedDepartment(
  routing: readonly { category: string; streetId?: string; departmentId: string }[],
  c: Pick<Incident, 'category' | 'streetId'>,
): string | null {
  const mine = routing.filter((r) => r.category === c.category);
  return (
    mine.find((r) => r.streetId !== undefined && r.streetId === c.streetId)?.departmentId ??
    mine.find((r) => r.streetId === undefined)?.departmentId ??
    null
  );
}
