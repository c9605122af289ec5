import { CASE_STEPS, type CaseRulesInput, type Department } from '../../shared/case-rules.ts';
import { INCIDENT_CATEGORIES } from '../../shared/incident.ts';

export type RuleIssue = { path: string; message: string };

/**
 * What the schema cannot know: that every department and street named exists, and that every
 * category has a limit for every step (a case without one would never be due) and a district-wide
 * route (a case outside every street-specific rule would go nowhere). All problems at once.
 */
export function checkRules(
  rules: CaseRulesInput,
  departments: readonly Department[],
  streetIds: ReadonlySet<string>,
): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const depts = new Set(departments.map((d) => d.id));
  rules.routing.forEach((r, i) => {
    if (!depts.has(r.departmentId))
      issues.push({ path: `routing.${i}.departmentId`, message: `unknown department "${r.departmentId}"` });
    if (r.streetId !== undefined && !streetIds.has(r.streetId))
      issues.push({ path: `routing.${i}.streetId`, message: `unknown street "${r.streetId}"` });
  });
  for (const category of INCIDENT_CATEGORIES) {
    if (!rules.routing.some((r) => r.category === category && r.streetId === undefined))
      issues.push({ path: 'routing', message: `no district-wide route for ${category}` });
    for (const step of CASE_STEPS)
      if (!rules.limits.some((l) => l.category === category && l.step === step))
        issues.push({ path: 'limits', message: `no time limit for ${category} / ${step}` });
  }
  return issues;
}
