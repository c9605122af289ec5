import { describe, expect, it } from 'vitest';
import { diffRules } from '../../../shared/case-rules-diff.ts';
import type { CaseRules } from '../../../shared/case-rules.ts';
import { checkDraft, draftOf, issuesAt, parseDates } from './rules-draft.ts';

const rules: CaseRules = {
  version: 3,
  routing: [{ category: 'fire', departmentId: 'dept-a' }],
  limits: [{ category: 'fire', step: 'handle', amount: 4, unit: 'hours' }],
  calendar: {
    workdays: [1, 2, 3, 4, 5],
    workHours: [{ start: '09:00', end: '17:00' }],
    holidays: [],
    extraWorkdays: [],
  },
  weights: { timeliness: 60, closure: 30, rework: 10 },
  updatedAt: '2026-12-01T00:00:00Z',
  updatedBy: 'admin',
};

describe('rules draft', () => {
  it('passes the document as it is, with the version it was edited from', () => {
    const r = checkDraft(draftOf(rules), rules.version);
    expect(r.ok && r.body.version).toBe(3);
  });

  it('names each bad field by its path', () => {
    const d = draftOf(rules);
    d.limits[0].amount = 0;
    d.calendar.workHours[0] = { start: '18:00', end: '09:00' };
    d.weights = { timeliness: 0, closure: 0, rework: 0 };
    const r = checkDraft(d, 3);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.issues)).toEqual(
      expect.arrayContaining(['limits.0.amount', 'calendar.workHours.0.end', 'weights']),
    );
    expect(issuesAt(r.issues, 'limits.0')).toHaveLength(1);
  });

  it('shows what saving changes (shared diff)', () => {
    const d = draftOf(rules);
    d.limits[0] = { ...d.limits[0], amount: 2 };
    expect(diffRules(rules, d)).toEqual([
      { kind: 'limit', category: 'fire', step: 'handle', from: '4 hours', to: '2 hours' },
    ]);
  });

  it('reads dates written one per line or with commas', () => {
    expect(parseDates('2026-10-01, 2026-10-02\n2026-10-03，')).toEqual([
      '2026-10-01',
      '2026-10-02',
      '2026-10-03',
    ]);
  });
});
