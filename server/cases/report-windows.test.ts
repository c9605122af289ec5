import { describe, expect, it } from 'vitest';
import { isoWeek, lastDue, scheduledWindow } from './report-windows.ts';

/** 08:00 Asia/Shanghai on a date is 00:00 UTC. */
const eight = (date: string) => Date.parse(`${date}T00:00:00Z`);

describe('scheduled report windows (Asia/Shanghai)', () => {
  it('daily: the previous day 00:00–24:00 local', () => {
    expect(scheduledWindow('daily', eight('2026-12-01'))).toEqual({
      kind: 'daily',
      from: '2026-11-29T16:00:00.000Z',
      to: '2026-11-30T16:00:00.000Z',
      id: 'KPR-daily-2026-11-30',
    });
    // Across a year's end, and a run delayed to 23:59 local still reports the day before.
    expect(scheduledWindow('daily', eight('2027-01-01')).id).toBe('KPR-daily-2026-12-31');
    expect(scheduledWindow('daily', eight('2026-12-01') + 15 * 3600_000 + 59 * 60_000).id).toBe(
      'KPR-daily-2026-11-30',
    );
  });

  it('weekly: the previous ISO week, Monday to Monday', () => {
    // 2026-11-30 is a Monday.
    const w = scheduledWindow('weekly', eight('2026-11-30'));
    expect(w).toEqual({
      kind: 'weekly',
      from: '2026-11-22T16:00:00.000Z',
      to: '2026-11-29T16:00:00.000Z',
      id: 'KPR-weekly-2026-W48',
    });
    expect(isoWeek('2021-01-03')).toBe('2020-W53');
    expect(isoWeek('2026-01-01')).toBe('2026-W01');
    expect(isoWeek('2024-12-30')).toBe('2025-W01');
  });

  it('monthly: the previous month, including across a year', () => {
    expect(scheduledWindow('monthly', eight('2026-12-01'))).toEqual({
      kind: 'monthly',
      from: '2026-10-31T16:00:00.000Z',
      to: '2026-11-30T16:00:00.000Z',
      id: 'KPR-monthly-2026-11',
    });
    expect(scheduledWindow('monthly', eight('2027-01-01')).id).toBe('KPR-monthly-2026-12');
    expect(scheduledWindow('monthly', eight('2027-03-01')).from).toBe('2027-01-31T16:00:00.000Z');
  });
});

describe('the last due run (a server starting catches up)', () => {
  it('is today 08:00 after eight, yesterday before; the last Monday; the 1st', () => {
    // 2026-12-02 is a Wednesday; 10:00 in Shanghai is 02:00 UTC.
    const wed10 = Date.parse('2026-12-02T02:00:00Z');
    expect(new Date(lastDue('daily', wed10)).toISOString()).toBe('2026-12-02T00:00:00.000Z');
    expect(new Date(lastDue('daily', wed10 - 3 * 3600_000)).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(new Date(lastDue('weekly', wed10)).toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(new Date(lastDue('monthly', wed10)).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    // 07:00 on the 1st: the month before's run.
    expect(new Date(lastDue('monthly', Date.parse('2026-11-30T23:00:00Z'))).toISOString()).toBe(
      '2026-11-01T00:00:00.000Z',
    );
    expect(scheduledWindow('daily', lastDue('daily', wed10)).id).toBe('KPR-daily-2026-12-01');
  });
});
