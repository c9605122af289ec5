import { describe, expect, it } from 'vitest';
import { Rng, hashString } from './prng.ts';

describe('Rng', () => {
  it('gives the same sequence for the same seed, and another for another seed', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    const sa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(sa);
  });

  it('accepts string seeds', () => {
    expect(new Rng('demo').next()).toBe(new Rng(hashString('demo')).next());
  });

  it('stays within [0, 1) and draws ints inclusively', () => {
    const r = new Rng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const x = r.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      seen.add(r.int(1, 3));
    }
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });

  it('draws exponential gaps with the right mean', () => {
    const r = new Rng(3);
    let sum = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) sum += r.exponential(4);
    expect(sum / n).toBeCloseTo(0.25, 1);
  });

  it('respects weights', () => {
    const r = new Rng(5);
    let a = 0;
    for (let i = 0; i < 10_000; i++)
      if (
        r.weighted([
          ['a', 9],
          ['b', 1],
        ] as const) === 'a'
      )
        a++;
    expect(a / 10_000).toBeGreaterThan(0.87);
    expect(a / 10_000).toBeLessThan(0.93);
  });
});
