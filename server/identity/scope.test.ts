import { describe, expect, it } from 'vitest';
import { canSee, inScope, scopeOf } from './scope.ts';

const inc = (streetId: string | null, departmentId: string | null) => ({ streetId, departmentId });

describe('scope', () => {
  it('operators see every case', () => {
    for (const role of ['duty', 'commander', 'liaison', 'admin'] as const) {
      expect(scopeOf({ role })).toEqual({ kind: 'all' });
      expect(canSee({ role }, inc(null, null))).toBe(true);
    }
  });
  it("a subcentre sees its street's cases, whatever their department", () => {
    const u = { role: 'subcentre' as const, streetId: 'S1' };
    expect(canSee(u, inc('S1', null))).toBe(true);
    expect(canSee(u, inc('S1', 'dept-cgw'))).toBe(true);
    expect(canSee(u, inc('S2', null))).toBe(false);
    expect(canSee(u, inc(null, null))).toBe(false);
  });
  it('a department sees the cases dispatched to it only', () => {
    const u = { role: 'department' as const, departmentId: 'dept-cgw' };
    expect(canSee(u, inc('S1', 'dept-cgw'))).toBe(true);
    expect(canSee(u, inc('S1', null))).toBe(false);
    expect(canSee(u, { streetId: 'S1' })).toBe(false);
    expect(canSee(u, inc('S1', 'dept-swj'))).toBe(false);
  });
  it('a scoped role without its binding sees nothing', () => {
    expect(scopeOf({ role: 'subcentre' })).toBeNull();
    expect(scopeOf({ role: 'department', streetId: 'S1' })).toBeNull();
    expect(inScope(null, inc('S1', 'dept-cgw'))).toBe(false);
  });
});
