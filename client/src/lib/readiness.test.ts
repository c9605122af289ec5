import { describe, expect, it } from 'vitest';
import type { KpiRow } from '../../../shared/kpi.ts';
import type { Plan } from '../../../shared/index.ts';
import { ranking } from './kpi-windows.ts';
import { planReadiness } from './readiness.ts';

const plan = (id: string, needs: Plan['needs']): Plan =>
  ({ id, name: id, nameEn: id, needs }) as unknown as Plan;

describe('plan readiness', () => {
  it('compares each need with what is available, plans short of something first', () => {
    const rows = planReadiness(
      [plan('a', [{ type: 'fire_engine', count: 2 }]), plan('b', [{ type: 'ambulance', count: 3 }])],
      { fire_engine: 5, ambulance: 1 },
    );
    expect(rows.map((r) => [r.plan.id, r.ready])).toEqual([
      ['b', false],
      ['a', true],
    ]);
    expect(rows[0].needs).toEqual([{ type: 'ambulance', count: 3, available: 1 }]);
  });
});

describe('ranking', () => {
  it('orders by score, rows without a score last', () => {
    const row = (key: string, score: number | null, accepted = 1) =>
      ({ key, name: key, score, accepted }) as KpiRow;
    expect(ranking([row('x', null, 0), row('y', 80), row('z', 95)]).map((r) => r.key)).toEqual([
      'z',
      'y',
      'x',
    ]);
  });
});
