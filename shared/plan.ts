import { z } from 'zod';
import { text } from './text.ts';
import { Id, Severity } from './common.ts';
import { IncidentCategory } from './incident.ts';
import { ResourceType } from './resource.ts';
import { Proposal } from './operation.ts';

export const PlanTask = z.object({
  id: Id,
  title: text.line(200),
  titleEn: text.line(200),
  unit: text.line(200),
  role: z.enum(['commander', 'liaison', 'duty']),
  dueMinutes: z.number().positive(),
  order: z.number().int().min(1),
});
export type PlanTask = z.infer<typeof PlanTask>;

export const PlanNeed = z.object({ type: ResourceType, count: z.number().int().min(1) });
export type PlanNeed = z.infer<typeof PlanNeed>;

/** A contingency plan (应急预案), as kept in the plan library data files. */
export const Plan = z.object({
  id: Id,
  name: text.line(200),
  nameEn: text.line(200),
  categories: z.array(IncidentCategory).min(1),
  /** Response level I–IV, written as 1–4 like incident severity. */
  level: Severity,
  summary: text.multiline(2000).optional(),
  tasks: z.array(PlanTask).min(1),
  needs: z.array(PlanNeed).min(1),
  cordonRadiusM: z.number().int().positive(),
});
export type Plan = z.infer<typeof Plan>;

/** `GET /api/v1/incidents/:id/plans`: every plan, those fitting the incident first, best first. */
export const RankedPlan = Plan.extend({
  fits: z.boolean(),
  /** The resources the plan would get if activated now (the same ranking activation uses). */
  proposals: z.array(Proposal).optional(),
});
export type RankedPlan = z.infer<typeof RankedPlan>;
