/** What an incident is about (its own module: the case rules and the incident both need it). */
import { z } from 'zod';

export const INCIDENT_CATEGORIES = [
  'fire',
  'gas_leak',
  'flood',
  'hazmat',
  'crowd',
  'traffic',
  'infrastructure',
  'environment',
  'public_order',
  'other',
] as const;
export const IncidentCategory = z.enum(INCIDENT_CATEGORIES);
export type IncidentCategory = z.infer<typeof IncidentCategory>;
