import { describe, expect, it } from 'vitest';
import type { Plan } from '../../shared/plan.ts';
import type { Resource } from '../../shared/resource.ts';
import { etaMin, proposeResources, rankPlans } from './proposals.ts';

const at = { lng: 116.3, lat: 39.95 };
const res = (
  id: string,
  type: Resource['type'],
  dLat: number,
  status: Resource['status'] = 'available',
): Resource => ({
  id,
  name: id,
  type,
  unit: 'u',
  home: { lng: at.lng, lat: at.lat + dLat },
  homeName: 'h',
  status,
  location: { lng: at.lng, lat: at.lat + dLat },
  incidentId: null,
  operationId: null,
  dispatchId: null,
  updatedAt: '2024-01-01T00:00:00.000Z',
  version: 1,
});

describe('proposeResources', () => {
  it('takes the nearest available resources of each needed type, nearest first', () => {
    const pool = [
      res('F-far', 'fire_engine', 0.05),
      res('F-near', 'fire_engine', 0.01),
      res('F-busy', 'fire_engine', 0.001, 'dispatched'),
      res('F-mid', 'fire_engine', 0.02),
      res('A-1', 'ambulance', 0.03),
      res('S-1', 'shelter', 0.04),
    ];
    const p = proposeResources(
      [
        { type: 'fire_engine', count: 2 },
        { type: 'ambulance', count: 2 },
        { type: 'shelter', count: 1 },
      ],
      pool,
      at,
    );
    expect(p.map((x) => x.resourceId)).toEqual(['F-near', 'F-mid', 'A-1', 'S-1']);
    expect(p[0].distanceM).toBeCloseTo(1112, -1);
    expect(p[0].etaMin).toBeCloseTo(2.2, 1);
    expect(p[3].etaMin).toBe(0);
  });

  it('gives a need what there is when the district is short', () => {
    expect(proposeResources([{ type: 'gas_crew', count: 3 }], [res('G', 'gas_crew', 0.01)], at)).toHaveLength(
      1,
    );
  });

  it('estimates 30 km/h for vehicles and nothing for stockpiles', () => {
    expect(etaMin('ambulance', 15_000)).toBe(30);
    expect(etaMin('sandbags', 15_000)).toBe(0);
  });
});

describe('rankPlans', () => {
  const plan = (id: string, categories: Plan['categories'], level: Plan['level']): Plan => ({
    id,
    name: id,
    nameEn: id,
    categories,
    level,
    tasks: [{ id: 't', title: 't', titleEn: 't', unit: 'u', role: 'liaison', dueMinutes: 1, order: 1 }],
    needs: [{ type: 'ambulance', count: 1 }],
    cordonRadiusM: 100,
  });
  it('puts fitting plans first, closest level to the severity next, the stronger response on a tie', () => {
    const plans = [
      plan('flood', ['flood'], 2),
      plan('hazmat', ['hazmat', 'fire'], 1),
      plan('fire', ['fire'], 2),
      plan('fire-3', ['fire'], 3),
    ];
    const ranked = rankPlans(plans, { category: 'fire', severity: 2 });
    expect(ranked.map((p) => [p.id, p.fits])).toEqual([
      ['fire', true],
      ['hazmat', true],
      ['fire-3', true],
      ['flood', false],
    ]);
    expect(rankPlans(plans, { category: 'fire', severity: 1 })[0].id).toBe('hazmat');
  });
});
