import {
  CASE_STEPS,
  type CaseRulesInput,
  type CaseStep,
  type Department,
  type Limit,
  type LimitUnit,
} from '../../shared/case-rules.ts';
import { INCIDENT_CATEGORIES, type IncidentCategory } from '../../shared/incident.ts';

/**
 * The rules a new installation starts with (version 1): who a category goes to, how long each
 * step may take, the working calendar, the score's weights. Modelled on Beijing's grid
 * management standards: verification and dispatch within working hours, handling by the kind of
 * problem (exposed rubbish 4 working hours, a blocked road a working day, illegal construction 15
 * working days), safety matters in calendar hours because they do not wait for Monday.
 */
const ROUTES: Record<IncidentCategory, string | 'street'> = {
  fire: 'street',
  gas_leak: 'dept-cgw',
  flood: 'dept-swj',
  hazmat: 'dept-yjj',
  crowd: 'dept-gafj',
  traffic: 'dept-jgzd',
  infrastructure: 'dept-cgw',
  environment: 'dept-sthjj',
  public_order: 'dept-zfj',
  other: 'street',
};

const HANDLE: Record<IncidentCategory, [number, LimitUnit]> = {
  fire: [4, 'hours'],
  gas_leak: [2, 'hours'],
  flood: [4, 'hours'],
  hazmat: [2, 'hours'],
  crowd: [2, 'hours'],
  traffic: [1, 'work_days'],
  infrastructure: [5, 'work_days'],
  environment: [4, 'work_hours'],
  public_order: [15, 'work_days'],
  other: [5, 'work_days'],
};

const STEP: Record<Exclude<CaseStep, 'handle'>, [number, LimitUnit]> = {
  verify: [2, 'work_hours'],
  dispatch: [1, 'work_hours'],
  inspect: [1, 'work_days'],
  close: [1, 'work_days'],
};

/** Safety categories run on calendar time at every step. */
const CALENDAR_TIME = new Set<IncidentCategory>(['fire', 'gas_leak', 'flood', 'hazmat', 'crowd']);

export function defaultCaseRules(departments: Department[]): CaseRulesInput {
  const offices = departments.filter((d) => d.kind === 'street_office' && d.streetId);
  const routing: CaseRulesInput['routing'] = [];
  for (const category of INCIDENT_CATEGORIES) {
    const to = ROUTES[category];
    if (to === 'street') {
      // District-wide fallback first (a case outside every street), then each street's own office.
      routing.push({ category, departmentId: 'dept-cgw' });
      for (const o of offices) routing.push({ category, streetId: o.streetId!, departmentId: o.id });
    } else routing.push({ category, departmentId: to });
  }
  const limits: Limit[] = [];
  for (const category of INCIDENT_CATEGORIES)
    for (const step of CASE_STEPS) {
      if (step === 'handle') {
        const [amount, unit] = HANDLE[category];
        limits.push({ category, step, amount, unit });
      } else {
        const [amount, unit] = STEP[step];
        limits.push(
          CALENDAR_TIME.has(category) && unit === 'work_hours'
            ? { category, step, amount: amount * 30, unit: 'minutes' }
            : CALENDAR_TIME.has(category) && unit === 'work_days'
              ? { category, step, amount: 24, unit: 'hours' }
              : { category, step, amount, unit },
        );
      }
    }
  return {
    routing,
    limits,
    calendar: {
      workdays: [1, 2, 3, 4, 5],
      workHours: [
        { start: '09:00', end: '12:00' },
        { start: '13:30', end: '17:30' },
      ],
      holidays: [],
      extraWorkdays: [],
    },
    weights: { timeliness: 60, closure: 30, rework: 10 },
  };
}

/** The department a case goes to: the rule for its category and street, else the category's default. */
export function routeCase(
  rules: Pick<CaseRulesInput, 'routing'>,
  category: IncidentCategory,
  streetId: string | null,
): string | null {
  const forCategory = rules.routing.filter((r) => r.category === category);
  return (
    forCategory.find((r) => r.streetId !== undefined && r.streetId === streetId)?.departmentId ??
    forCategory.find((r) => r.streetId === undefined)?.departmentId ??
    null
  );
}

/** The limit of one step for a category (every category has one for every step in valid rules). */
export function limitFor(rules: Pick<CaseRulesInput, 'limits'>, category: IncidentCategory, step: CaseStep) {
  return rules.limits.find((l) => l.category === category && l.step === step) ?? null;
}
