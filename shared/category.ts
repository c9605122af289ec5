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

/**
 * The categories' names for the server's own outputs (reports, Open311 services, CAP): the same
 * words the console shows (client/src/lib/i18n: `category.*`; a unit test keeps them equal).
 */
export const CATEGORY_NAMES: Record<IncidentCategory, { zh: string; en: string }> = {
  fire: { zh: '火灾', en: 'Fire' },
  gas_leak: { zh: '燃气泄漏', en: 'Gas leak' },
  flood: { zh: '积水内涝', en: 'Flooding' },
  hazmat: { zh: '危化品', en: 'Hazardous materials' },
  crowd: { zh: '人员聚集', en: 'Crowd' },
  traffic: { zh: '交通', en: 'Traffic' },
  infrastructure: { zh: '市政设施', en: 'Infrastructure' },
  environment: { zh: '环境', en: 'Environment' },
  public_order: { zh: '治安秩序', en: 'Public order' },
  other: { zh: '其他', en: 'Other' },
};
