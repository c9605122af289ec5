import type { Department } from '../../shared/case-rules.ts';
import type { GridCollection } from '../../shared/grid.ts';

/**
 * The responsible departments (专业部门) a Haidian case goes to, named as the district names them,
 * plus the office of every street and area (街道/地区办事处) from the grid. Demo data: a real centre
 * keeps its own list (the ids are what the case rules route to).
 */
const DISTRICT_DEPARTMENTS: Department[] = [
  {
    id: 'dept-cgw',
    name: '海淀区城市管理委员会',
    nameEn: 'Haidian City Management Commission',
    kind: 'city_management',
  },
  {
    id: 'dept-zfj',
    name: '海淀区城市管理综合行政执法局',
    nameEn: 'Haidian Urban Management Law Enforcement Bureau',
    kind: 'law_enforcement',
  },
  { id: 'dept-ylj', name: '海淀区园林绿化局', nameEn: 'Haidian Landscaping Bureau', kind: 'landscaping' },
  { id: 'dept-swj', name: '海淀区水务局', nameEn: 'Haidian Water Authority', kind: 'water' },
  {
    id: 'dept-jgzd',
    name: '北京市公安局公安交通管理局海淀交通支队',
    nameEn: 'Haidian Traffic Police Detachment',
    kind: 'traffic',
  },
  {
    id: 'dept-zjw',
    name: '海淀区住房和城乡建设委员会',
    nameEn: 'Haidian Housing and Urban-Rural Development Commission',
    kind: 'housing',
  },
  {
    id: 'dept-scjgj',
    name: '海淀区市场监督管理局',
    nameEn: 'Haidian Market Regulation Administration',
    kind: 'market_regulation',
  },
  {
    id: 'dept-sthjj',
    name: '北京市海淀区生态环境局',
    nameEn: 'Haidian Ecology and Environment Bureau',
    kind: 'environment',
  },
  {
    id: 'dept-gafj',
    name: '北京市公安局海淀分局',
    nameEn: 'Haidian Public Security Sub-bureau',
    kind: 'police',
  },
  {
    id: 'dept-yjj',
    name: '海淀区应急管理局',
    nameEn: 'Haidian Emergency Management Bureau',
    kind: 'emergency_management',
  },
];

/** The department id of a street's own office. */
export const streetOfficeId = (streetId: string): string => `dept-street-${streetId}`;

export function departments(grids: GridCollection): Department[] {
  const offices = grids.features
    .filter((f) => f.properties.level === 'street')
    .map((f): Department => ({
      id: streetOfficeId(f.properties.id),
      name: `${f.properties.name}办事处`,
      nameEn: `${f.properties.name} office`,
      kind: 'street_office',
      streetId: f.properties.id,
    }));
  return [...DISTRICT_DEPARTMENTS, ...offices];
}
