import { describe, expect, it } from 'vitest';
import { Histogram } from './histogram.ts';

describe('Histogram', () => {
  it('gives percentiles to within a bucket', () => {
    const h = new Histogram();
    for (let i = 1; i <= 1000; i++) h.record(i); // 1..1000 ms
    expect(h.percentile(0.5)!).toBeGreaterThanOrEqual(500);
    expect(h.percentile(0.5)!).toBeLessThan(506);
    expect(h.percentile(0.99)!).toBeGreaterThanOrEqual(990);
    expect(h.percentile(0.99)!).toBeLessThan(1000.1);
    expect(h.summary().max).toBe(1000);
  });

  it('is fine below 100 ms and when empty', () => {
    const h = new Histogram();
    expect(h.summary()).toEqual({ n: 0, p50: null, p99: null, max: null, mean: null });
    h.record(2.34);
    h.record(2.36);
    // Bucket [2.3, 2.4), reported at its upper edge but never above the true max.
    expect(h.percentile(0.5)).toBeCloseTo(2.36, 5);
    h.record(50);
    expect(h.percentile(0.5)).toBeCloseTo(2.4, 5);
  });

  it('merges across processes through JSON', () => {
    const a = new Histogram();
    const b = new Histogram();
    for (let i = 0; i < 100; i++) a.record(1);
    for (let i = 0; i < 100; i++) b.record(300);
    const m = Histogram.from(JSON.parse(JSON.stringify(a))).merge(JSON.parse(JSON.stringify(b)));
    expect(m.n).toBe(200);
    expect(m.percentile(0.25)).toBeCloseTo(1.1, 5);
    expect(m.percentile(0.75)!).toBeGreaterThan(299);
    expect(m.max).toBe(300);
  });
});
