/**
 * What an alarm says besides its title: the street it is in, and how long ago it came. Pure (no
 * runes): the caller passes its translate function, `i18n.t` in the views.
 */
import type { GridCollection, Incident } from '../../../shared/index.ts';
import type { MessageKey, Params } from './i18n/core.ts';

type Translate = (key: MessageKey, params?: Params) => string;

/** The street's (街道/镇) name from the grid; null outside the streets or before the grid loaded. */
export function streetName(grid: GridCollection | null, inc: Pick<Incident, 'streetId'>): string | null {
  if (!grid || !inc.streetId) return null;
  return grid.features.find((f) => f.properties.id === inc.streetId)?.properties.name ?? null;
}

/** Whole minutes since `iso` at `now` (never negative: clocks differ a little). */
export function minutesAgo(iso: string, now: number): number {
  return Math.max(0, Math.floor((now - Date.parse(iso)) / 60_000));
}

/** "刚刚", "3 分钟前", "2 小时前". */
export function agoText(iso: string, now: number, t: Translate): string {
  const m = minutesAgo(iso, now);
  if (m < 1) return t('alarm.ago.now');
  if (m < 120) return t('alarm.ago.minutes', { count: m });
  return t('alarm.ago.hours', { count: Math.floor(m / 60) });
}
