import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../shared/case-rules.ts';
import { mulberry32 } from '../geo/random.ts';
import { dayStart, localDate, WorkingCalendar } from './calendar.ts';
import { OFFICIAL_CALENDAR } from './official-calendar.ts';

const BASE: WorkCalendar = {
  workdays: [1, 2, 3, 4, 5],
  workHours: [
    { start: '09:00', end: '12:00' },
    { start: '13:30', end: '17:30' },
  ],
  holidays: [],
  extraWorkdays: [],
};
/** An Asia/Shanghai wall-clock time as an instant. */
const sh = (s: string) => Date.parse(`${s}+08:00`);
const show = (ms: number) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 16).replace('T', ' ');
const H = 3600e3;

describe('the working calendar (Asia/Shanghai)', () => {
  const cal = new WorkingCalendar(BASE);

  it('knows China’s holidays and make-up workdays from the official data', () => {
    expect(OFFICIAL_CALENDAR.holidays.get('2026-10-01')).toBe('国庆节');
    expect(cal.isWorkingDay('2026-10-01')).toBe(false); // Thursday, National Day
    expect(cal.isWorkingDay('2026-10-10')).toBe(true); // Saturday, 调休
    expect(cal.isWorkingDay('2026-10-11')).toBe(false); // an ordinary Sunday
    expect(cal.isWorkingDay('2026-12-01')).toBe(true);
  });

  it('counts working hours across the lunch break and the night', () => {
    expect(show(cal.due(sh('2026-12-01T11:00'), 2, 'work_hours'))).toBe('2026-12-01 14:30');
    expect(show(cal.due(sh('2026-12-01T17:00'), 1, 'work_hours'))).toBe('2026-12-02 09:30');
    // Accepted at night: the clock starts with the next working period.
    expect(show(cal.due(sh('2026-12-01T22:00'), 4, 'work_hours'))).toBe('2026-12-02 14:30');
  });

  it('skips a holiday week and works on the make-up Saturday', () => {
    expect(show(cal.due(sh('2026-09-30T17:00'), 1, 'work_hours'))).toBe('2026-10-08 09:30');
    expect(show(cal.due(sh('2026-10-09T16:00'), 4, 'work_hours'))).toBe('2026-10-10 11:30');
  });

  it('counts working days from the next day and ends them at close of business', () => {
    expect(show(cal.due(sh('2026-11-30T10:00'), 3, 'work_days'))).toBe('2026-12-03 17:30');
    // Friday + 1 working day is Monday.
    expect(show(cal.due(sh('2026-12-04T09:00'), 1, 'work_days'))).toBe('2026-12-07 17:30');
    // Half a working day is half its hours (3.5 h).
    expect(show(cal.due(sh('2026-12-01T09:00'), 0.5, 'work_days'))).toBe('2026-12-01 14:00');
  });

  it('takes calendar limits as plain time', () => {
    expect(cal.due(sh('2026-10-01T10:00'), 4, 'hours')).toBe(sh('2026-10-01T14:00'));
    expect(cal.due(sh('2026-10-01T10:00'), 90, 'minutes')).toBe(sh('2026-10-01T11:30'));
    expect(cal.due(sh('2026-10-01T10:00'), 2, 'days')).toBe(sh('2026-10-03T10:00'));
  });

  it('lets the admin add holidays and workdays on top of the official calendar', () => {
    const own = new WorkingCalendar({ ...BASE, holidays: ['2026-12-02'], extraWorkdays: ['2026-12-06'] });
    expect(own.isWorkingDay('2026-12-02')).toBe(false);
    expect(own.isWorkingDay('2026-12-06')).toBe(true); // a Sunday
    expect(show(own.due(sh('2026-11-30T10:00'), 3, 'work_days'))).toBe('2026-12-04 17:30');
    // And may overrule the official data for a day.
    const overruled = new WorkingCalendar({
      ...BASE,
      extraWorkdays: ['2026-10-08'],
      holidays: ['2026-10-10'],
    });
    expect(overruled.isWorkingDay('2026-10-10')).toBe(false);
  });

  it('puts the 80 % point in working time, never at night', () => {
    const from = sh('2026-10-09T16:00');
    const due = cal.due(from, 4, 'work_hours');
    // 3.2 working hours: Friday 1.5 h, then 1.7 h of the make-up Saturday.
    expect(show(cal.shareOf(from, due, 'work_hours', 0.8))).toBe('2026-10-10 10:42');
    const f2 = sh('2026-12-01T10:00');
    expect(cal.shareOf(f2, f2 + 10 * H, 'hours', 0.8)).toBe(f2 + 8 * H);
  });

  it('adds and measures working time consistently (seeded)', () => {
    const rand = mulberry32(11);
    for (let i = 0; i < 500; i++) {
      const from =
        sh('2026-01-01T00:00') + Math.floor(rand() * 360) * 24 * H + Math.floor(rand() * 24 * 60) * 60e3;
      const work = Math.floor(rand() * 80 * 60) * 60e3 + 60e3;
      const to = cal.addWorking(from, work);
      expect(cal.workingBetween(from, to)).toBe(work);
      expect(cal.isWorkingDay(localDate(to - 1))).toBe(true);
    }
  });

  it('converts Asia/Shanghai days whatever the server’s zone', () => {
    expect(localDate(sh('2026-12-01T23:59'))).toBe('2026-12-01');
    expect(localDate(sh('2026-12-02T00:00'))).toBe('2026-12-02');
    expect(dayStart('2026-12-02')).toBe(sh('2026-12-02T00:00'));
  });

  it('refuses calendars that make no sense, naming the field', () => {
    const bad = WorkCalendar.safeParse({
      ...BASE,
      workdays: [1, 1],
      workHours: [
        { start: '13:00', end: '12:00' },
        { start: '11:00', end: '18:00' },
      ],
      holidays: ['2026-02-30'],
      extraWorkdays: [],
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['workHours.0.end', 'holidays.0']));
  });
});
