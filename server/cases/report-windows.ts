import type { KpiReportKind } from '../../shared/kpi.ts';
import { dayStart, localDate } from './calendar.ts';

/**
 * The windows of the scheduled KPI reports (Asia/Shanghai, a fixed UTC+8): the daily report at
 * 08:00 covers the previous day 00:00–24:00, the weekly one on Monday the previous ISO week, the
 * monthly one on the 1st the previous month. Each is computed from the moment the run was
 * *scheduled* for, not when it ran, so a run delayed past midnight still reports the right day.
 */
export type ScheduledKind = Exclude<KpiReportKind, 'custom'>;
export type ReportWindow = { kind: ScheduledKind; from: string; to: string; id: string };

const DAY_MS = 86_400_000;
const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
/** ISO weekday, 1 = Monday … 7 = Sunday. */
const isoWeekday = (date: string) => ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;

/** ISO week-numbering year and week of a date (`2026-W48`). */
export function isoWeek(date: string): string {
  // The Thursday of the date's week decides the year (ISO 8601).
  const thursday = addDays(date, 4 - isoWeekday(date));
  const year = Number(thursday.slice(0, 4));
  const week =
    Math.floor((Date.parse(`${thursday}T00:00:00Z`) - Date.parse(`${year}-01-01T00:00:00Z`)) / (7 * DAY_MS)) +
    1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The window a scheduled report run at `scheduledAt` covers, and its id: deterministic per
 * (kind, window), so a retried or doubled run makes one report.
 */
export function scheduledWindow(kind: ScheduledKind, scheduledAt: number): ReportWindow {
  const today = localDate(scheduledAt);
  if (kind === 'daily') {
    const day = addDays(today, -1);
    return { kind, from: iso(dayStart(day)), to: iso(dayStart(today)), id: `KPR-daily-${day}` };
  }
  if (kind === 'weekly') {
    const thisMonday = addDays(today, 1 - isoWeekday(today));
    const monday = addDays(thisMonday, -7);
    return {
      kind,
      from: iso(dayStart(monday)),
      to: iso(dayStart(thisMonday)),
      id: `KPR-weekly-${isoWeek(monday)}`,
    };
  }
  const first = `${today.slice(0, 7)}-01`;
  const y = Number(today.slice(0, 4));
  const m = Number(today.slice(5, 7));
  const prev = m === 1 ? `${y - 1}-12-01` : `${y}-${String(m - 1).padStart(2, '0')}-01`;
  return { kind, from: iso(dayStart(prev)), to: iso(dayStart(first)), id: `KPR-monthly-${prev.slice(0, 7)}` };
}

/** The cron pattern of each schedule (with tz Asia/Shanghai): 08:00 daily, Mondays, the 1st. */
export const REPORT_CRON: Record<ScheduledKind, string> = {
  daily: '0 8 * * *',
  weekly: '0 8 * * 1',
  monthly: '0 8 1 * *',
};

/**
 * The last moment at or before `now` a schedule was due (08:00 Asia/Shanghai: daily, on
 * Mondays, on the 1st). A server starting runs that one if its report is missing, so a fresh
 * install or one that was down at 08:00 has yesterday's report at once.
 */
export function lastDue(kind: ScheduledKind, now: number): number {
  const eightOn = (date: string) => dayStart(date) + 8 * 3600_000;
  let date = localDate(now);
  if (eightOn(date) > now) date = addDays(date, -1);
  if (kind === 'weekly') date = addDays(date, 1 - isoWeekday(date));
  if (kind === 'monthly') date = `${date.slice(0, 7)}-01`;
  return eightOn(date);
}
