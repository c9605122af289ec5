/**
 * Each category's name as the centre writes it (Chinese) and in English: for what the server
 * itself writes (KPI rows, reports). The client's i18n tables say the same for its own screens.
 */
import type { IncidentCategory } from './category.ts';

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
