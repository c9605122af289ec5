import type { CaseRules, CaseRulesInput, LimitUnit } from '../../shared/case-rules.ts';
import type { IncidentCategory } from '../../shared/category.ts';
import type { Rng } from './prng.ts';

/**
 * The peacetime day's model (`npm run simulate -- --peacetime`): how many cases arrive, what
 * becomes of each, and how long each actor takes, as a fraction of the step's own time limit.
 * Pure and seeded, so the shares below can be checked without a server.
 *
 * Shares are the seed's: 96.96 % of grid cases handled in time and 99.12 % closed; consultations
 * answered at once; a few voids, reworks, deferrals and extensions.
 */
export const PEACETIME_PER_DAY = { hotline: 105, grid: 60 } as const;
export const SHARES = {
  /** Of hotline appeals: consultations (咨询), answered and closed by the duty officer. */
  consultation: 0.15,
  /** Wrong or duplicate cases, voided at verification. */
  void: 0.02,
  /** Handled after the due time. */
  late: 0.03,
  /** Failed a first inspection (返工). */
  rework: 0.03,
  /** The department asks for more time once, and uses some of it. */
  extend: 0.02,
  /** Cannot be solved this season (挂账); half of them resume later. */
  defer: 0.008,
} as const;

export type CaseFate = {
  consultation: boolean;
  void: boolean;
  late: boolean;
  rework: boolean;
  extend: boolean;
  defer: 'no' | 'stay' | 'resume';
  /** Fractions of each step's limit its actor takes (a late handle is above 1). */
  verify: number;
  dispatch: number;
  handle: number;
  rehandle: number;
  inspect: number;
  close: number;
};

export function fateOf(rng: Rng, source: 'hotline' | 'grid'): CaseFate {
  const consultation = source === 'hotline' && rng.chance(SHARES.consultation);
  const late = rng.chance(SHARES.late);
  const extend = !late && rng.chance(SHARES.extend);
  const defer = rng.chance(SHARES.defer) ? (rng.chance(0.5) ? 'resume' : 'stay') : 'no';
  return {
    consultation,
    void: !consultation && rng.chance(SHARES.void),
    late,
    rework: rng.chance(SHARES.rework),
    extend,
    defer,
    verify: rng.range(0.1, 0.6),
    dispatch: rng.range(0.1, 0.6),
    // Most well inside the limit; a late one 5–60 % past it; an extended one past the limit but
    // inside the extension (half the limit again).
    handle: late ? rng.range(1.05, 1.6) : extend ? rng.range(1.05, 1.35) : rng.range(0.15, 0.85),
    rehandle: rng.range(0.15, 0.7),
    inspect: rng.range(0.1, 0.7),
    close: rng.range(0.1, 0.6),
  };
}

/** Minutes of each unit in the simulated day (a working one: a working hour is an hour). */
const UNIT_MINUTES: Record<LimitUnit, number> = {
  minutes: 1,
  hours: 60,
  days: 1440,
  work_hours: 60,
  work_days: 1440,
};
/** The shortest limit a scaled rule gets: requests and the pipeline take real seconds. */
export const MIN_SCALED_MINUTES = 0.5;

/**
 * The rules with every limit scaled down by `speed`, in calendar minutes: at ×60 a 4-working-hour
 * limit is 4 real minutes, due whatever the hour the run is at. Routing to a department no
 * account of the run can work is sent to `fallback` (a department the simulator is logged in
 * for), since only a case's own department may handle it.
 */
export function scaledRules(
  rules: CaseRules,
  speed: number,
  worked: ReadonlySet<string>,
  fallback: string,
): CaseRulesInput {
  return {
    version: rules.version,
    routing: rules.routing.map((r) => (worked.has(r.departmentId) ? r : { ...r, departmentId: fallback })),
    limits: rules.limits.map((l) => ({
      ...l,
      unit: 'minutes' as const,
      amount: Math.max(
        MIN_SCALED_MINUTES,
        Math.round(((l.amount * UNIT_MINUTES[l.unit]) / speed) * 100) / 100,
      ),
    })),
    calendar: rules.calendar,
    weights: rules.weights,
    note: `npm run simulate --peacetime: limits ÷ ${speed} (restored when it stops)`,
  };
}

/** The rules document as it was, to save back over the simulator's (a new version, same content). */
export function restoredRules(original: CaseRules, currentVersion: number): CaseRulesInput {
  return {
    version: currentVersion,
    routing: original.routing,
    limits: original.limits,
    calendar: original.calendar,
    weights: original.weights,
    note: `npm run simulate --peacetime stopped: the rules of version ${original.version} again`,
  };
}

/** Which kind of appeal a category is for the hotline and for grid inspectors. */
export type PeacetimeSource = { source: string; stream: 'appeal' | 'grid'; kind: 'hotline' | 'grid' };
export const PEACETIME_SOURCES: Record<'hotline' | 'grid', PeacetimeSource> = {
  hotline: { source: 'hotline-12345', stream: 'appeal', kind: 'hotline' },
  grid: { source: 'grid-app', stream: 'grid', kind: 'grid' },
};
export type { IncidentCategory };
