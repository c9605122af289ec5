/** PURE: each plan's resource needs against what is available now (the wall's readiness panel). */
import type { Plan, ResourceType } from '../../../shared/index.ts';

export interface PlanReadiness {
  plan: Plan;
  needs: { type: ResourceType; count: number; available: number }[];
  /** Every need covered by available units of its type. */
  ready: boolean;
}

/** Plans short of something first (so a wall shows the gaps), then by name. */
export function planReadiness(
  plans: readonly Plan[],
  available: Partial<Record<ResourceType, number>>,
): PlanReadiness[] {
  return plans
    .map((plan) => {
      const needs = plan.needs.map((n) => ({
        type: n.type,
        count: n.count,
        available: available[n.type] ?? 0,
      }));
      return { plan, needs, ready: needs.every((n) => n.available >= n.count) };
    })
    .sort((a, b) => Number(a.ready) - Number(b.ready) || a.plan.name.localeCompare(b.plan.name));
}
