import { describe, expect, it } from 'vitest';
import { distanceM } from '../../shared/common.ts';
import { IncidentIntake } from '../../shared/incident.ts';
import { postTimeOf } from './feed-check.ts';
import { benchIncident } from './poster.ts';

describe('benchIncident', () => {
  it('is a valid intake body carrying its post time', () => {
    const b = benchIncident(5, 'b1-s1-', 1_700_000_000_000.25);
    expect(IncidentIntake.safeParse(b).success).toBe(true);
    expect(postTimeOf(b.externalId!)).toBeCloseTo(1_700_000_000_000.25, 3);
  });

  it('never puts two incidents of one category within the 300 m merge radius', () => {
    const all = Array.from({ length: 60_000 }, (_, n) => benchIncident(n, 't', 0));
    const byCategory = new Map<string, typeof all>();
    for (const b of all) byCategory.set(b.category, [...(byCategory.get(b.category) ?? []), b]);
    for (const list of byCategory.values()) {
      // Neighbours on the lattice are the closest pairs.
      for (let i = 1; i < list.length; i += 97) {
        expect(distanceM(list[i - 1].location, list[i].location)).toBeGreaterThan(300);
        if (i >= 70) expect(distanceM(list[i - 70].location, list[i].location)).toBeGreaterThan(300);
      }
    }
    expect(new Set(all.map((b) => `${b.category}${b.location.lng},${b.location.lat}`)).size).toBe(all.length);
  });
});
