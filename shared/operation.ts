import { z } from 'zod';
import { text } from './text.ts';
import { Id, IsoTime, Severity } from './common.ts';
import { ResourceType } from './resource.ts';

export const TaskStatus = z.enum(['pending', 'in_progress', 'done', 'blocked']);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const OperationTask = z.object({
  id: Id,
  title: text.stored(),
  titleEn: text.stored(),
  unit: text.stored(),
  role: z.string(),
  order: z.number().int(),
  status: TaskStatus,
  dueAt: IsoTime,
  /** Set by the due-time job when the task was not done in time; stays set as a record. */
  overdue: z.boolean(),
  doneAt: IsoTime.nullable(),
  note: text.stored().optional(),
  updatedBy: text.stored().optional(),
  updatedAt: IsoTime,
});
export type OperationTask = z.infer<typeof OperationTask>;

export const Proposal = z.object({
  type: ResourceType,
  resourceId: Id,
  distanceM: z.number(),
  etaMin: z.number(),
});
export type Proposal = z.infer<typeof Proposal>;

export const Operation = z.object({
  id: Id,
  planId: Id,
  planName: text.stored(),
  planNameEn: text.stored(),
  incidentId: Id,
  name: text.stored(),
  level: Severity,
  status: z.enum(['active', 'stood_down']),
  cordonRadiusM: z.number(),
  tasks: z.array(OperationTask),
  proposals: z.array(Proposal),
  /** Resource ids dispatched to this operation, ever. */
  resourceIds: z.array(Id),
  activatedAt: IsoTime,
  activatedBy: text.stored(),
  stoodDownAt: IsoTime.nullable(),
  stoodDownBy: text.stored().nullable(),
  summary: text.stored().optional(),
  /** Head of the log just before activation: the after-action record reads the log from here. */
  logFromSeq: z.number().int().min(0).optional(),
  version: z.number().int().min(1),
});
export type Operation = z.infer<typeof Operation>;

export const Dispatch = z.object({
  id: Id,
  resourceId: Id,
  incidentId: Id,
  operationId: Id.nullable(),
  at: IsoTime,
  actor: text.stored(),
  distanceM: z.number(),
  etaMin: z.number(),
});
export type Dispatch = z.infer<typeof Dispatch>;

/** The most resources one activation may dispatch (the largest plan needs far fewer). */
export const MAX_ACTIVATE_DISPATCH = 100;
/**
 * `dispatch`: resources to dispatch to the new operation in the same commit (the commander's
 * ticked proposals); absent or empty, the plan is only activated, as the contract's form does.
 */
export const ActivateInput = z.strictObject({
  planId: Id,
  incidentId: Id,
  dispatch: z
    .array(Id)
    .max(MAX_ACTIVATE_DISPATCH)
    .refine((ids) => new Set(ids).size === ids.length, 'a resource may be named only once')
    .optional(),
});
export type ActivateInput = z.infer<typeof ActivateInput>;
/** `201` of an activation: the operation, and the dispatches its commit made (in `dispatch` order). */
export const Activated = z.object({ id: Id, dispatchIds: z.array(Id) });
export type Activated = z.infer<typeof Activated>;
export const StandDownInput = z.strictObject({ summary: text.multiline(5000).optional() });
export const ModeInput = z.strictObject({
  state: z.enum(['peacetime', 'wartime']),
  reason: text.line(500),
});
export const DispatchInput = z.strictObject({ resourceId: Id, incidentId: Id });
export const TaskPatch = z.strictObject({
  status: TaskStatus,
  note: text.multiline(2000).optional(),
});
