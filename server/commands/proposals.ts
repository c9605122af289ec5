import { distanceM, type LngLat } from '../../shared/common.ts';
import type { Incident } from '../../shared/incident.ts';
import type { Proposal } from '../../shared/operation.ts';
import type { Plan, PlanNeed, RankedPlan } from '../../shared/plan.ts';
import { STATIC_RESOURCE_TYPES, type Resource, type ResourceType } from '../../shared/resource.ts';

/** A rough urban driving speed; good enough to rank and to tell the commander "about 8 min". */
export const URBAN_SPEED_KMH = 30;

/** Minutes to cover a straight-line distance; stockpiles and shelters are used where they stand. */
export function etaMin(type: ResourceType, meters: number): number {
  if (STATIC_RESOURCE_TYPES.includes(type)) return 0;
  return Math.round((meters / 1000 / URBAN_SPEED_KMH) * 60 * 10) / 10;
}

/**
 * For each need, the nearest `count` available resources of that type, by straight-line distance
 * from where each resource is now. A need the district cannot fill gets what there is.
 */
export function proposeResources(needs: PlanNeed[], resources: Resource[], at: LngLat): Proposal[] {
  const out: Proposal[] = [];
  const taken = new Set<string>();
  for (const need of needs) {
    const ranked = resources
      .filter((r) => r.type === need.type && r.status === 'available' && !taken.has(r.id))
      .map((r) => ({ r, d: distanceM(r.location, at) }))
      .sort((a, b) => a.d - b.d || a.r.id.localeCompare(b.r.id))
      .slice(0, need.count);
    for (const { r, d } of ranked) {
      taken.add(r.id);
      out.push({ type: r.type, resourceId: r.id, distanceM: Math.round(d), etaMin: etaMin(r.type, d) });
    }
  }
  return out;
}

/**
 * Plans for an incident, best first: those whose categories include the incident's, then the
 * response level closest to the incident's severity (a tie goes to the stronger response).
 * Non-fitting plans follow, marked, since a commander may still need one for an odd case.
 */
export function rankPlans(plans: Plan[], incident: Pick<Incident, 'category' | 'severity'>): RankedPlan[] {
  return plans
    .map((p) => ({ ...p, fits: p.categories.includes(incident.category) }))
    .sort(
      (a, b) =>
        Number(b.fits) - Number(a.fits) ||
        Math.abs(a.level - incident.severity) - Math.abs(b.level - incident.severity) ||
        a.level - b.level ||
        a.id.localeCompare(b.id),
    );
}
