import { minutesOfDay, type LimitUnit, type WorkCalendar } from '../../shared/case-rules.ts';
import { OFFICIAL_CALENDAR, type OfficialCalendar } from './official-calendar.ts';

/**
 * Deadlines on the working calendar, in Asia/Shanghai. China has kept UTC+8 all year since 1991
 * (no daylight saving), so local time is a fixed offset: no time-zone database is needed, and a
 * deadline computed here is the same on any server whatever its own zone.
 */
const OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;
const MINUTE_MS = 60 * 1000;
/** A calendar with no working day in this many days is refused rather than searched for ever. */
const SEARCH_DAYS = 5 * 366;

/** `YYYY-MM-DD` of the Asia/Shanghai day `ms` falls in. */
export function localDate(ms: number): string {
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant an Asia/Shanghai day starts. */
export function dayStart(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) - OFFSET_MS;
}

const nextDate = (date: string) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
/** ISO weekday 1 (Monday) … 7 (Sunday) of a date. */
const weekday = (date: string) => ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;

export class WorkingCalendar {
  private readonly holidays: Set<string>;
  private readonly extraWorkdays: Set<string>;
  private readonly workdays: Set<number>;
  /** Working periods of a working day as [start, end) minutes after local midnight. */
  private readonly periods: [number, number][];
  /** Working time in one working day. */
  readonly dayMs: number;

  constructor(cal: WorkCalendar, official: OfficialCalendar = OFFICIAL_CALENDAR) {
    // The admin's dates win over the official ones: a holiday they add is off, a workday on.
    this.holidays = new Set([...official.holidays.keys(), ...cal.holidays]);
    this.extraWorkdays = new Set([...official.workdays.keys(), ...cal.extraWorkdays]);
    for (const d of cal.holidays) this.extraWorkdays.delete(d);
    for (const d of cal.extraWorkdays) this.holidays.delete(d);
    this.workdays = new Set(cal.workdays);
    this.periods = cal.workHours.map((p) => [minutesOfDay(p.start), minutesOfDay(p.end)]);
    this.dayMs = this.periods.reduce((s, [a, b]) => s + (b - a) * MINUTE_MS, 0);
  }

  isWorkingDay(date: string): boolean {
    if (this.extraWorkdays.has(date)) return true;
    if (this.holidays.has(date)) return false;
    return this.workdays.has(weekday(date));
  }

  /** The working periods of a day as instants, [start, end); none on a day off. */
  private periodsOf(date: string): [number, number][] {
    if (!this.isWorkingDay(date)) return [];
    const d0 = dayStart(date);
    return this.periods.map(([a, b]) => [d0 + a * MINUTE_MS, d0 + b * MINUTE_MS]);
  }

  /** The instant when `workMs` of working time after `from` has passed. */
  addWorking(from: number, workMs: number): number {
    let left = workMs;
    let date = localDate(from);
    for (let i = 0; i < SEARCH_DAYS; i++, date = nextDate(date)) {
      for (const [a, b] of this.periodsOf(date)) {
        if (b <= from) continue;
        const start = Math.max(a, from);
        if (left <= b - start) return start + left;
        left -= b - start;
      }
    }
    throw new Error('the working calendar has no working time in five years');
  }

  /** Working time between two instants (0 when `to` is not after `from`). */
  workingBetween(from: number, to: number): number {
    let sum = 0;
    for (
      let date = localDate(from), i = 0;
      i < SEARCH_DAYS && dayStart(date) < to;
      i++, date = nextDate(date)
    ) {
      for (const [a, b] of this.periodsOf(date)) sum += Math.max(0, Math.min(b, to) - Math.max(a, from));
    }
    return sum;
  }

  /**
   * The end of the working day `n` working days after the day of `from`, counting from the next
   * day (期限从次日起算): "3 working days" from a case accepted on Monday is Thursday's close of
   * business (with no holiday between).
   */
  private workDaysAfter(from: number, n: number): number {
    let date = localDate(from);
    let left = n;
    for (let i = 0; i < SEARCH_DAYS; i++) {
      date = nextDate(date);
      if (!this.isWorkingDay(date)) continue;
      if (--left === 0) return dayStart(date) + this.periods[this.periods.length - 1][1] * MINUTE_MS;
    }
    throw new Error('the working calendar has no working day in five years');
  }

  /** When a step started at `from` with this limit is due. */
  due(from: number, amount: number, unit: LimitUnit): number {
    switch (unit) {
      case 'minutes':
        return from + amount * MINUTE_MS;
      case 'hours':
        return from + amount * 60 * MINUTE_MS;
      case 'days':
        return from + amount * DAY_MS;
      case 'work_hours':
        return this.addWorking(from, amount * 60 * MINUTE_MS);
      case 'work_days':
        // Whole days end at close of business; a fraction is that share of a working day's hours.
        return Number.isInteger(amount)
          ? this.workDaysAfter(from, amount)
          : this.addWorking(from, amount * this.dayMs);
    }
  }

  /**
   * The instant a share `f` (0–1) of the time from `from` to `due` has been used, measured as the
   * limit is: working time for working units (80 % of four working hours is never at night),
   * calendar time for the others.
   */
  shareOf(from: number, due: number, unit: LimitUnit, f: number): number {
    if (unit === 'work_hours' || unit === 'work_days') {
      const work = this.workingBetween(from, due);
      // Nothing to share (due at or before the start): the share point is the due time itself.
      return work === 0 ? due : this.addWorking(from, f * work);
    }
    return from + f * (due - from);
  }
}
