import { describe, expect, it } from 'vitest';
import { CaseRulesInput } from '../../shared/case-rules.ts';
import { diffRules } from '../../shared/case-rules-diff.ts';
import { loadDemoData } from '../data/demo-data.ts';
import { departments, streetOfficeId } from '../data/departments.ts';
import { defaultCaseRules, limitFor, routeCase } from './default-rules.ts';
import { checkRules } from './rules-check.ts';

const data = await loadDemoData();
const depts = departments(data.grids);
const streets = new Set(
  data.grids.features.filter((f) => f.properties.level === 'street').map((f) => f.properties.id),
);

describe('the default case rules', () => {
  const rules = defaultCaseRules(depts);

  it('are a valid document with a route and a limit for everything', () => {
    expect(CaseRulesInput.safeParse(rules).success).toBe(true);
    expect(checkRules(rules, depts, streets)).toEqual([]);
    expect(depts.filter((d) => d.kind === 'street_office')).toHaveLength(29);
  });

  it('route by category, the most specific rule winning', () => {
    expect(routeCase(rules, 'flood', '110108001')).toBe('dept-swj');
    expect(routeCase(rules, 'other', '110108001')).toBe(streetOfficeId('110108001'));
    expect(routeCase(rules, 'other', null)).toBe('dept-cgw');
    expect(limitFor(rules, 'environment', 'handle')).toMatchObject({ amount: 4, unit: 'work_hours' });
    expect(limitFor(rules, 'gas_leak', 'verify')).toMatchObject({ amount: 60, unit: 'minutes' });
  });

  it('name every problem of a bad document at once', () => {
    const bad: CaseRulesInput = {
      ...rules,
      routing: [
        ...rules.routing.filter((r) => r.category !== 'flood'),
        { category: 'fire' as const, departmentId: 'dept-x' },
      ],
      limits: rules.limits.filter((l) => !(l.category === 'traffic' && l.step === 'inspect')),
    };
    const parsed = CaseRulesInput.safeParse(bad);
    // a second district-wide fire rule is a schema problem; the rest needs the department list
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual([`routing.${bad.routing.length - 1}`]);
    expect(checkRules(bad, depts, streets)).toEqual(
      expect.arrayContaining([
        { path: `routing.${bad.routing.length - 1}.departmentId`, message: 'unknown department "dept-x"' },
        { path: 'routing', message: 'no district-wide route for flood' },
        { path: 'limits', message: 'no time limit for traffic / inspect' },
      ]),
    );
  });

  it('diff rule by rule', () => {
    const next = structuredClone(rules);
    next.limits.find((l) => l.category === 'environment' && l.step === 'handle')!.amount = 6;
    next.routing.find((r) => r.category === 'flood')!.departmentId = 'dept-yjj';
    next.weights.rework = 20;
    next.calendar.holidays = ['2027-01-01'];
    expect(diffRules(rules, next)).toEqual([
      { kind: 'route', category: 'flood', from: 'dept-swj', to: 'dept-yjj' },
      { kind: 'limit', category: 'environment', step: 'handle', from: '4 work_hours', to: '6 work_hours' },
      { kind: 'calendar', field: 'holidays', from: '[]', to: '["2027-01-01"]' },
      { kind: 'weights', field: 'rework', from: '10', to: '20' },
    ]);
    expect(diffRules(rules, structuredClone(rules))).toEqual([]);
  });
});
