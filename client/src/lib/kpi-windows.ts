/**
 * PURE: the KPI windows the peacetime wall asks for, on the district's own clock (Asia/Shanghai,
 * UTC+8 all year: China has no daylight saving), whatever the time zone of the wall's browser;
 * which events move the figures, and the order of a ranking.
 */
import type { LiveEvent } from '../../../shared/index.ts';
import type { KpiRow } from '../../../shared/kpi.ts';

const SH_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** An instant as an ISO time written in Asia/Shanghai (`…+08:00`). */
export function shanghaiIso(ms: number): string {
  return new Date(ms + SH_OFFSET_MS).toISOString().replace(/\.\d{3}Z$/, '+08:00');
}

/** Midnight (Asia/Shanghai) of the day holding `ms`. */
export function shanghaiDayStart(ms: number): number {
  return Math.floor((ms + SH_OFFSET_MS) / DAY_MS) * DAY_MS - SH_OFFSET_MS;
}

/** Midnight of the 1st of the month holding `ms`, and of the next month (Asia/Shanghai). */
export function shanghaiMonth(ms: number): { from: number; to: number } {
  const d = new Date(ms + SH_OFFSET_MS);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return { from: Date.UTC(y, m, 1) - SH_OFFSET_MS, to: Date.UTC(y, m + 1, 1) - SH_OFFSET_MS };
}

export type Window = { from: string; to: string };

export const TREND_DAYS = 30;

/** Today, this month, and the last 30 days (today included), as `[from, to)`. */
export function kpiWindows(now: number): { today: Window; month: Window; trend: Window } {
  const day = shanghaiDayStart(now);
  const month = shanghaiMonth(now);
  return {
    today: { from: shanghaiIso(day), to: shanghaiIso(day + DAY_MS) },
    month: { from: shanghaiIso(month.from), to: shanghaiIso(month.to) },
    trend: { from: shanghaiIso(day - (TREND_DAYS - 1) * DAY_MS), to: shanghaiIso(day + DAY_MS) },
  };
}

/** The 30 day keys (`YYYY-MM-DD`, Asia/Shanghai) of the trend, oldest first: days without cases too. */
export function trendDays(now: number): string[] {
  const day = shanghaiDayStart(now);
  const out: string[] = [];
  for (let i = TREND_DAYS - 1; i >= 0; i--)
    out.push(new Date(day - i * DAY_MS + SH_OFFSET_MS).toISOString().slice(0, 10));
  return out;
}

/** A value of a `datetime-local` input, read as Asia/Shanghai time, as an ISO time; null if empty or bad. */
export function localInputToIso(v: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v)) return null;
  const ms = Date.parse(`${v.slice(0, 16)}:00Z`) - SH_OFFSET_MS;
  return Number.isNaN(ms) ? null : shanghaiIso(ms);
}

/** Events that can move a figure. */
export function movesKpis(e: LiveEvent): boolean {
  return (
    e.type === 'incident.created' ||
    e.type === 'incident.updated' ||
    e.type === 'incident.archived' ||
    e.type === 'case.due_soon' ||
    e.type === 'case.overdue' ||
    e.type === 'case_rules.changed'
  );
}

/** Best score first; rows without a score (no cases) last, by name. */
export function ranking(rows: readonly KpiRow[]): KpiRow[] {
  return [...rows].sort(
    (a, b) => (b.score ?? -1) - (a.score ?? -1) || b.accepted - a.accepted || a.name.localeCompare(b.name),
  );
}
