/** The one i18n layer: a reactive locale, `t()` for every visible string, Intl formatting. */
import { hasKey, LOCALES, pickLocale, translate, type Locale, type MessageKey, type Params } from './core.ts';

const STORAGE_KEY = 'pz.locale';

function storedLocale(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

class I18n {
  locale = $state<Locale>(
    pickLocale(typeof navigator !== 'undefined' ? navigator.languages : undefined, storedLocale()),
  );
  readonly locales = LOCALES;

  private dateTime = $derived(
    new Intl.DateTimeFormat(this.locale, { dateStyle: 'short', timeStyle: 'medium', hour12: false }),
  );
  private time = $derived(
    new Intl.DateTimeFormat(this.locale, {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hour12: false,
    }),
  );
  private date = $derived(
    new Intl.DateTimeFormat(this.locale, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'long' }),
  );
  private number = $derived(new Intl.NumberFormat(this.locale));
  private percent = $derived(
    new Intl.NumberFormat(this.locale, { style: 'percent', maximumFractionDigits: 0 }),
  );
  // KPI rates: 99.89 % and 96.96 % differ in the first decimal
  private percent1 = $derived(
    new Intl.NumberFormat(this.locale, {
      style: 'percent',
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
    }),
  );

  setLocale(l: Locale): void {
    this.locale = l;
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      /* private mode: the choice lasts for this page */
    }
    if (typeof document !== 'undefined') document.documentElement.lang = l;
  }

  t = (key: MessageKey, params?: Params): string => translate(this.locale, key, params);

  /** Translate `prefix.value` (an enum value from the shared schemas); the raw value if unknown. */
  e = (prefix: string, value: string | number): string => {
    const key = `${prefix}.${value}`;
    return hasKey(key) ? translate(this.locale, key) : String(value);
  };

  dt = (iso: string | number | Date): string => this.fmt(this.dateTime, iso);
  tm = (iso: string | number | Date): string => this.fmt(this.time, iso);
  day = (d: Date): string => this.date.format(d);
  n = (x: number): string => this.number.format(x);
  pct = (x: number): string => this.percent.format(x);
  pct1 = (x: number): string => this.percent1.format(x);

  private fmt(f: Intl.DateTimeFormat, v: string | number | Date): string {
    const d = v instanceof Date ? v : new Date(v);
    return Number.isNaN(d.getTime()) ? '—' : f.format(d);
  }
}

export const i18n = new I18n();
if (typeof document !== 'undefined') document.documentElement.lang = i18n.locale;
export type { Locale, MessageKey };
