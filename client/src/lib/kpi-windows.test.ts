import { describe, expect, it } from 'vitest';
import { kpiWindows, localInputToIso, shanghaiIso, trendDays } from './kpi-windows.ts';

describe('KPI windows (Asia/Shanghai)', () => {
  // 2026-12-01 01:30 in Shanghai is 2026-11-30 17:30 UTC
  const now = Date.parse('2026-11-30T17:30:00Z');
  it('cuts days and months at Shanghai midnight', () => {
    const w = kpiWindows(now);
    expect(w.today).toEqual({ from: '2026-12-01T00:00:00+08:00', to: '2026-12-02T00:00:00+08:00' });
    expect(w.month).toEqual({ from: '2026-12-01T00:00:00+08:00', to: '2027-01-01T00:00:00+08:00' });
    expect(w.trend.from).toBe('2026-11-02T00:00:00+08:00');
  });
  it('lists the 30 days of the trend, today last', () => {
    const d = trendDays(now);
    expect(d).toHaveLength(30);
    expect(d[29]).toBe('2026-12-01');
    expect(d[0]).toBe('2026-11-02');
  });
  it('reads a datetime-local value as Shanghai time', () => {
    expect(localInputToIso('2026-12-01T08:00')).toBe('2026-12-01T08:00:00+08:00');
    expect(localInputToIso('')).toBeNull();
    expect(Date.parse(shanghaiIso(now))).toBe(now);
  });
});
