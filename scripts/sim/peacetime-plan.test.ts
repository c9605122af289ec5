import { describe, expect, it } from 'vitest';
import type { CaseRules } from '../../shared/case-rules.ts';
import { fateOf, MIN_SCALED_MINUTES, restoredRules, scaledRules, SHARES } from './peacetime-plan.ts';
import { Rng } from './prng.ts';

describe('the peacetime day model', () => {
  it('lands near the seed: ~97 % handled in time, ~99 % closed', () => {
    const rng = new Rng('peacetime-test');
    let handled = 0;
    let onTime = 0;
    let accepted = 0;
    let voided = 0;
    let closed = 0;
    for (let i = 0; i < 20_000; i++) {
      const f = fateOf(rng, i % 3 === 0 ? 'grid' : 'hotline');
      accepted++;
      if (f.consultation) {
        closed++;
        continue;
      }
      if (f.void) {
        voided++;
        continue;
      }
      if (f.defer === 'stay') continue;
      handled++;
      // A rework's second handling is the one judged; it is always inside its limit here.
      if (f.rework || f.handle <= 1 || f.extend) onTime++;
      closed++;
    }
    expect(onTime / handled).toBeGreaterThan(0.95);
    expect(onTime / handled).toBeLessThan(0.99);
    expect(closed / (accepted - voided)).toBeGreaterThan(0.985);
    expect(voided / accepted).toBeCloseTo(SHARES.void * 0.9, 2);
  });

  it('scales every limit to calendar minutes ÷ speed, re-routes what no account works, and restores', () => {
    const rules = {
      version: 7,
      routing: [
        { category: 'environment', departmentId: 'dept-sthjj' },
        { category: 'infrastructure', departmentId: 'dept-cgw' },
      ],
      limits: [
        { category: 'environment', step: 'handle', amount: 4, unit: 'work_hours' },
        { category: 'infrastructure', step: 'handle', amount: 5, unit: 'work_days' },
        { category: 'fire', step: 'verify', amount: 10, unit: 'minutes' },
      ],
      calendar: {
        workdays: [1, 2, 3, 4, 5],
        workHours: [{ start: '09:00', end: '17:00' }],
        holidays: [],
        extraWorkdays: [],
      },
      weights: { timeliness: 60, closure: 30, rework: 10 },
      updatedAt: '2026-12-01T00:00:00.000Z',
      updatedBy: 'admin',
    } as CaseRules;
    const s = scaledRules(rules, 60, new Set(['dept-cgw']), 'dept-cgw');
    expect(s.version).toBe(7);
    expect(s.limits.map((l) => [l.amount, l.unit])).toEqual([
      [4, 'minutes'],
      [120, 'minutes'],
      [MIN_SCALED_MINUTES, 'minutes'],
    ]);
    expect(s.routing.map((r) => r.departmentId)).toEqual(['dept-cgw', 'dept-cgw']);
    const back = restoredRules(rules, 8);
    expect(back).toMatchObject({ version: 8, routing: rules.routing, limits: rules.limits });
  });
});
