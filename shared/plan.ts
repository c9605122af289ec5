import { z } from 'zod';
import { Id, Severity } from './common.ts';
import { IncidentCategory } from './incident.ts';
import { ResourceType } from './resource.ts';

export const PlanTask = z.object({
  id: Id,
  title: z.string().min(1),
  titleEn: z.string().min(1),
  unit: z.string().min(1),
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
  name: z.string().min(1),
  nameEn: z.string().min(1),
  categories: z.array(IncidentCategory).min(1),
  /** Response level I–IV, written as 1–4 like incident severity. */
  level: Severity,
  summary: z.string().optional(),
  tasks: z.array(PlanTask).min(1),
  needs: z.array(PlanNeed).min(1),
  cordonRadiusM: z.number().int().positive(),
});
export type Plan = z.infer<typeof Plan>;
