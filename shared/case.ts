/**
 * A case (案卷) in peacetime handling: its statuses, the steps it takes with their deadlines, and
 * the actions of `POST /api/v1/cases/:id/actions` (the "Peacetime case handling" contract).
 */
import { z } from 'zod';
import { CaseStep, LimitUnit } from './case-rules.ts';
import { Id, IsoTime } from './common.ts';
import { text } from './text.ts';

/** accepted 受理 → verified 核实 → dispatched 派遣 → handled 处置完毕 → inspected 核查 → closed 结案; deferred 挂账, voided 作废. */
export const CASE_STATUSES = [
  'accepted',
  'verified',
  'dispatched',
  'handled',
  'inspected',
  'closed',
  'deferred',
  'voided',
] as const;
export const CaseStatus = z.enum(CASE_STATUSES);
/** The main line, in order (without the side states). */
export const CASE_MAIN_LINE = [
  'accepted',
  'verified',
  'dispatched',
  'handled',
  'inspected',
  'closed',
] as const;
export type CaseStatus = z.infer<typeof CaseStatus>;

/**
 * A case that ended: closed 结案 or voided 作废, neither of which any action leaves. It leaves the
 * open-incident index (a new report nearby opens a new case) and, in time, the working set.
 */
export const ENDED_CASE_STATUSES = ['closed', 'voided'] as const satisfies readonly CaseStatus[];
export const caseEnded = (status: CaseStatus): boolean =>
  (ENDED_CASE_STATUSES as readonly CaseStatus[]).includes(status);

/** community → street → district (三级循环). */
export const CaseLevel = z.enum(['community', 'street', 'district']);
export type CaseLevel = z.infer<typeof CaseLevel>;

export const Extension = z.object({
  amount: z.number(),
  unit: LimitUnit,
  reason: text.stored(),
  at: IsoTime,
  actor: text.stored(),
  /** The due time before the extension. */
  previousDueAt: IsoTime,
});

/** One step taken, in order; a rework starts `handle` (and then `inspect`) again. */
export const CaseStepRecord = z.object({
  step: CaseStep,
  startedAt: IsoTime,
  dueAt: IsoTime,
  finishedAt: IsoTime.optional(),
  /** Finished by its due time (extension included); absent while it runs. */
  onTime: z.boolean().optional(),
  /** Who finished it. */
  actor: text.stored().optional(),
  /** `inspect`: whether the inspection passed (false: a rework 返工). */
  passed: z.boolean().optional(),
  /** At most one per step (延期). */
  extension: Extension.optional(),
  /** Set once the 80 % point passed unfinished (case.due_soon), and at 100 % (case.overdue). */
  dueSoon: z.boolean().optional(),
  overdue: z.boolean().optional(),
});
export type CaseStepRecord = z.infer<typeof CaseStepRecord>;

const reason = text.requiredMultiline(2000);

export const CaseAction = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('verify'), note: text.multiline(2000).optional() }),
  z.strictObject({ action: z.literal('answer'), text: text.requiredMultiline(5000) }),
  z.strictObject({ action: z.literal('void'), reason }),
  z.strictObject({
    action: z.literal('dispatch'),
    departmentId: Id.optional(),
    note: text.multiline(2000).optional(),
  }),
  z.strictObject({ action: z.literal('handle'), note: text.requiredMultiline(5000) }),
  z.strictObject({
    action: z.literal('inspect'),
    passed: z.boolean(),
    note: text.multiline(2000).optional(),
  }),
  z.strictObject({ action: z.literal('close'), note: text.multiline(2000).optional() }),
  z.strictObject({ action: z.literal('defer'), reason }),
  z.strictObject({ action: z.literal('resume'), note: text.multiline(2000).optional() }),
  z.strictObject({
    action: z.literal('extend'),
    amount: z.number().positive(),
    unit: LimitUnit,
    reason,
  }),
  z.strictObject({ action: z.literal('escalate'), reason }),
]);
export type CaseAction = z.infer<typeof CaseAction>;
export type CaseActionName = CaseAction['action'];

/**
 * The peacetime fields of an incident stored before cases had them (v1 events, old data): not
 * routed, no step. New cases start for real (`server/cases/case-start.ts`: rules version, level,
 * the `verify` step and its deadline timers).
 */
export const UNROUTED_CASE = {
  departmentId: null,
  level: 'community',
  rulesVersion: 0,
  steps: [],
} as const satisfies { departmentId: null; level: CaseLevel; rulesVersion: number; steps: [] };
