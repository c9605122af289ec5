/**
 * Open311 GeoReport v2 services: our incident categories, each a service whose code is the
 * category and whose name is the Chinese name the console shows. No service has extra attributes
 * (`metadata: false`), and every request gets its id at once (`type: realtime`).
 */
import { CATEGORY_NAMES, INCIDENT_CATEGORIES, type IncidentCategory } from '../../../shared/category.ts';

export type Open311Service = {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: 'realtime' | 'batch' | 'blackbox';
  keywords: string;
  group: string;
};

/** Emergencies go to the command centre at once; the rest are city-management cases. */
const EMERGENCY: ReadonlySet<IncidentCategory> = new Set(['fire', 'gas_leak', 'flood', 'hazmat']);

export function open311Services(): Open311Service[] {
  return INCIDENT_CATEGORIES.map((c) => ({
    service_code: c,
    service_name: CATEGORY_NAMES[c].zh,
    description: `${CATEGORY_NAMES[c].zh} · ${CATEGORY_NAMES[c].en}`,
    metadata: false,
    type: 'realtime',
    keywords: `${CATEGORY_NAMES[c].en.toLowerCase()}, ${c}`,
    group: EMERGENCY.has(c) ? '突发事件 Emergencies' : '城市管理 City management',
  }));
}

export const isServiceCode = (code: string): code is IncidentCategory =>
  (INCIDENT_CATEGORIES as readonly string[]).includes(code);

/** `GET services/:code`: the definition of a service without attributes. */
export const serviceDefinition = (code: IncidentCategory) => ({
  service_code: code,
  attributes: [] as never[],
});
