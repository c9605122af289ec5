/**
 * PURE: the footage view's list as events arrive. A request enters the list when it was made in
 * the period shown; a later version replaces an earlier one (an older one arriving late changes
 * nothing); the order is the server's, newest request first.
 */
import type { FootageRequest } from '../../../shared/footage.ts';
import { shanghaiIso, shanghaiMonth } from './kpi-windows.ts';

export type Period = { from: string; to: string };

/** This month in Asia/Shanghai: [the 1st 00:00, the 1st of next month 00:00). */
export function thisMonth(now: number): Period {
  const m = shanghaiMonth(now);
  return { from: shanghaiIso(m.from), to: shanghaiIso(m.to) };
}

/** The list with `r` in it, or null when `r` changes nothing (outside the period, or not newer). */
export function mergeFootage(
  items: readonly FootageRequest[],
  r: FootageRequest,
  period: Period,
): FootageRequest[] | null {
  const had = items.find((x) => x.id === r.id);
  if (had && had.version >= r.version) return null;
  const t = Date.parse(r.requestedAt);
  if (!had && !(t >= Date.parse(period.from) && t < Date.parse(period.to))) return null;
  return [...items.filter((x) => x.id !== r.id), r].sort(
    (a, b) => b.requestedAt.localeCompare(a.requestedAt) || b.id.localeCompare(a.id),
  );
}
