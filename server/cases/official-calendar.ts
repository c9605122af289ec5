import { createRequire } from 'node:module';

/**
 * China's official calendar of public holidays and make-up workdays (调休), as the State Council
 * publishes it each year (usually in November for the next year), from the `chinese-days` package
 * (MIT; data 2004 onwards). Its JSON maps a date to "English,中文,days". A year not yet in the
 * package is added by the admin in the case rules (`calendar.holidays`, `calendar.extraWorkdays`);
 * `officialCalendarEnds` lets the console say when that is due.
 */
type Data = { holidays: Record<string, string>; workdays: Record<string, string> };
const data = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as Data;

export type OfficialCalendar = {
  /** Public holidays (days off), `YYYY-MM-DD` → name ("国庆节"). */
  holidays: ReadonlyMap<string, string>;
  /** Weekend days that are workdays (调休上班), `YYYY-MM-DD` → the holiday they make up for. */
  workdays: ReadonlyMap<string, string>;
  /** The last year the data covers. */
  lastYear: number;
};

const nameOf = (v: string) => v.split(',')[1] ?? v;

export const OFFICIAL_CALENDAR: OfficialCalendar = {
  holidays: new Map(Object.entries(data.holidays).map(([d, v]) => [d, nameOf(v)])),
  workdays: new Map(Object.entries(data.workdays).map(([d, v]) => [d, nameOf(v)])),
  lastYear: Math.max(...Object.keys(data.holidays).map((d) => Number(d.slice(0, 4)))),
};

/** The last day the official calendar covers: after it, only the weekend rule and the admin's dates apply. */
export const officialCalendarEnds = (c: OfficialCalendar = OFFICIAL_CALENDAR): string =>
  `${c.lastYear}-12-31`;
