/**
 * PURE: the rules editor's draft: a copy of the document being edited, checked with the shared
 * `CaseRulesInput` schema into one message per field path (`limits.3.amount`, `calendar.workdays`…),
 * and the dates lists as the text areas hold them.
 */
import { CaseRulesInput, type CaseRules } from '../../../shared/case-rules.ts';

export type RulesDraft = Pick<CaseRulesInput, 'routing' | 'limits' | 'calendar' | 'weights'> & {
  note: string;
};

export function draftOf(r: CaseRules): RulesDraft {
  return structuredClone({
    routing: r.routing,
    limits: r.limits,
    calendar: r.calendar,
    weights: r.weights,
    note: '',
  });
}

/** The body of the PUT: the draft as edited from `version`; empty optional fields left out. */
export function inputOf(d: RulesDraft, version: number): unknown {
  return {
    version,
    routing: d.routing.map((r) => (r.streetId ? r : { category: r.category, departmentId: r.departmentId })),
    limits: d.limits,
    calendar: d.calendar,
    weights: d.weights,
    ...(d.note.trim() ? { note: d.note.trim() } : {}),
  };
}

/** The draft checked: the body to send, or the first message for each field path. */
export function checkDraft(
  d: RulesDraft,
  version: number,
): { ok: true; body: CaseRulesInput } | { ok: false; issues: Record<string, string> } {
  const r = CaseRulesInput.safeParse(inputOf(d, version));
  if (r.success) return { ok: true, body: r.data };
  const issues: Record<string, string> = {};
  for (const i of r.error.issues) issues[i.path.join('.')] ??= i.message;
  return { ok: false, issues };
}

/** Messages at `path` or under it (a row's message shows on the row). */
export function issuesAt(issues: Record<string, string>, path: string): string[] {
  return Object.entries(issues)
    .filter(([k]) => k === path || k.startsWith(`${path}.`))
    .map(([, v]) => v);
}

/** "2026-10-01, 2026-10-02" or one per line → the dates; blanks dropped (the schema checks each). */
export function parseDates(text: string): string[] {
  return text
    .split(/[\s,，;；]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
