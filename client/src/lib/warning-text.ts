/** How a warning reads on screen (popup, banner, list), in the page's language; plain text only. */
import type { Warning } from '../../../shared/warning.ts';
import { i18n } from './i18n/index.svelte.ts';

/** "黄色预警" / "Yellow warning", with 演练/Drill in front of a drill. */
export function warningTitle(w: Warning): string {
  const t = i18n.t('warning.banner', { colour: i18n.t(`warning.colour.${w.colour}`) });
  return w.routing === 'drill' ? `${i18n.t('warning.drill')} · ${t}` : t;
}

/** The areas' descriptions, joined. */
export function warningAreas(w: Warning): string {
  return w.area.features.map((f) => f.properties.areaDesc).join('；');
}

/** The popup's lines: headline first, then colour and event, area, validity. */
export function warningLines(w: Warning): string[] {
  return [
    w.headline || w.event,
    `${warningTitle(w)} · ${w.event}`,
    warningAreas(w),
    i18n.t('warning.expires', { time: i18n.dt(w.expires) }),
  ].filter((l) => l !== '');
}
