import { describe, expect, it } from 'vitest';
import { Rng } from './prng.ts';
import { ArrivalProcess, DAILY_RATES, HOURLY_WEIGHTS, STORM_FACTOR, perSecond } from './rates.ts';

function countOver(days: number, process: ArrivalProcess): number {
  let n = 0;
  while (process.take() < days * 86_400) n++;
  return n;
}

describe('rates', () => {
  it('uses the real yearly figures of DOMAIN.md', () => {
    expect(Math.round(DAILY_RATES.appeal)).toBe(105);
    expect(Math.round(DAILY_RATES.video)).toBe(179);
    expect(Math.round(DAILY_RATES.community)).toBe(35);
    expect(Math.round(DAILY_RATES.emergency)).toBe(2);
  });

  it('shapes the day without changing its total', () => {
    expect(HOURLY_WEIGHTS.reduce((a, b) => a + b, 0) / 24).toBeCloseTo(1, 10);
  });

  it('produces a day of appeals at about the daily rate', () => {
    const days = 30;
    const n = countOver(days, new ArrivalProcess('appeal', new Rng(1), 0));
    // Poisson: mean 3150, sd ≈ 56; allow four sd.
    expect(Math.abs(n - DAILY_RATES.appeal * days)).toBeLessThan(4 * Math.sqrt(DAILY_RATES.appeal * days));
  });

  it('multiplies by 50 in a storm', () => {
    expect(perSecond('video', { storm: true })).toBeCloseTo(perSecond('video') * STORM_FACTOR, 12);
    const n = countOver(1, new ArrivalProcess('video', new Rng(2), 0, { storm: true }));
    const mean = DAILY_RATES.video * STORM_FACTOR;
    expect(Math.abs(n - mean)).toBeLessThan(4 * Math.sqrt(mean));
  });

  it('is busier at ten in the morning than at three at night', () => {
    const p = new ArrivalProcess('video', new Rng(3), 0, { storm: true });
    const byHour = new Array(24).fill(0);
    for (let t = p.take(); t < 86_400; t = p.take()) byHour[Math.floor(t / 3600)]++;
    expect(byHour[10]).toBeGreaterThan(byHour[3] * 4);
  });

  it('is repeatable with a seed', () => {
    const a = new ArrivalProcess('grid', new Rng(9), 100);
    const b = new ArrivalProcess('grid', new Rng(9), 100);
    for (let i = 0; i < 50; i++) expect(a.take()).toBe(b.take());
  });
});
