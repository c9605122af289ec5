import { z } from 'zod';
import { Id, IsoTime, Severity } from './common.ts';
import { ResourceType } from './resource.ts';

export const TaskStatus = z.enum(['pending', 'in_progress', 'done', 'blocked']);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const OperationTask = z.object({
  id: Id,
  title: z.string(),
  titleEn: z.string(),
  unit: z.string(),
  role: z.string(),
  order: z.number().int(),
  status: TaskStatus,
  dueAt: IsoTime,
  /** Set by the due-time job when the task was not done in time; stays set as a record. */
  overdue: z.boolean(),
  doneAt: IsoTime.nullable(),
  note: z.string().optional(),
  updatedBy: z.string().optional(),
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
  planName: z.string(),
  planNameEn: z.string(),
  incidentId: Id,
  name: z.string(),
  level: Severity,
  status: z.enum(['active', 'stood_down']),
  cordonRadiusM: z.number(),
  tasks: z.array(OperationTask),
  proposals: z.array(Proposal),
  /** Resource ids dispatched to this operation, ever. */
  resourceIds: z.array(Id),
  activatedAt: IsoTime,
  activatedBy: z.string(),
  stoodDownAt: IsoTime.nullable(),
  stoodDownBy: z.string().nullable(),
  summary: z.string().optional(),
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
  actor: z.string(),
  distanceM: z.number(),
  etaMin: z.number(),
});
export type Dispatch = z.infer<typeof Dispatch>;

export const ActivateInput = z.strictObject({ planId: Id, incidentId: Id });
export const StandDownInput = z.strictObject({ summary: z.string().max(5000).optional() });
export const ModeInput = z.strictObject({
  state: z.enum(['peacetime', 'wartime']),
  reason: z.string().trim().min(1).max(500),
});
export const DispatchInput = z.strictObject({ resourceId: Id, incidentId: Id });
export const TaskPatch = z.strictObject({
  status: TaskStatus,
  note: z.string().max(2000).optional(),
});
