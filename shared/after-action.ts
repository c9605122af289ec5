import { z } from 'zod';
import { text } from './text.ts';
import { Id, IsoTime, Severity } from './common.ts';
import { IncidentCategory } from './incident.ts';
import { TaskStatus } from './operation.ts';
import { ResourceType } from './resource.ts';
import { EventType } from './protocol.ts';

/** How a task ended by the time its operation stood down. */
export const TaskOutcome = z.enum(['on_time', 'late', 'not_done']);
export type TaskOutcome = z.infer<typeof TaskOutcome>;

export const AfterActionTask = z.object({
  id: Id,
  title: text.stored(),
  titleEn: text.stored(),
  unit: text.stored(),
  dueAt: IsoTime,
  status: TaskStatus,
  doneAt: IsoTime.nullable(),
  overdue: z.boolean(),
  outcome: TaskOutcome,
});
export type AfterActionTask = z.infer<typeof AfterActionTask>;

export const AfterActionResource = z.object({
  resourceId: Id,
  name: text.stored(),
  type: ResourceType,
  dispatchId: Id,
  dispatchedAt: IsoTime,
  /** First time the resource left the operation: returning, available or out of service. */
  releasedAt: IsoTime,
  releasedAs: z.string(),
  durationMin: z.number(),
});
export type AfterActionResource = z.infer<typeof AfterActionResource>;

export const TimelineEntry = z.object({
  seq: z.number().int().positive(),
  type: EventType,
  at: IsoTime,
  actor: text.stored().optional(),
  /** The actor's display name (李强) where known (an account or an integration); else absent. */
  actorName: text.stored().optional(),
  /** One readable line (Chinese), for the console and the printable record. */
  summary: text.stored(),
  data: z.record(z.string(), z.unknown()),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

/**
 * The after-action record of a stood-down operation. Every figure is computed from `timeline`,
 * the operation's events as the log holds them, so the record and the log cannot disagree.
 */
export const AfterActionRecord = z.object({
  operationId: Id,
  name: text.stored(),
  planId: Id,
  planName: text.stored(),
  planNameEn: text.stored(),
  level: Severity,
  incident: z.object({
    id: Id,
    title: text.stored(),
    category: IncidentCategory,
    locationLabel: text.stored(),
  }),
  activatedAt: IsoTime,
  activatedBy: text.stored(),
  /** `activatedBy`'s display name where known. */
  activatedByName: text.stored().optional(),
  stoodDownAt: IsoTime,
  stoodDownBy: text.stored(),
  stoodDownByName: text.stored().optional(),
  summary: text.stored().optional(),
  durationMin: z.number(),
  tasks: z.object({
    total: z.number().int(),
    onTime: z.number().int(),
    late: z.number().int(),
    notDone: z.number().int(),
    items: z.array(AfterActionTask),
  }),
  resources: z.object({
    count: z.number().int(),
    totalMin: z.number(),
    items: z.array(AfterActionResource),
  }),
  reportCount: z.number().int(),
  timeline: z.array(TimelineEntry),
  generatedAt: IsoTime,
});
export type AfterActionRecord = z.infer<typeof AfterActionRecord>;
