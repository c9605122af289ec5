/** Pure i18n helpers: locale choice, lookup with `{name}` parameters, Intl formatting. */
import { en } from './en.ts';
import { zhCN, type MessageKey } from './zh-CN.ts';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
export const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };
export type { MessageKey };

/** zh-CN when the first language the browser prefers among ours is Chinese; English otherwise. */
export function pickLocale(preferred: readonly string[] | undefined, stored?: string | null): Locale {
  if (stored === 'zh-CN' || stored === 'en') return stored;
  for (const lang of preferred ?? []) {
    const l = lang.toLowerCase();
    if (l.startsWith('zh')) return 'zh-CN';
    if (l.startsWith('en')) return 'en';
  }
  return 'zh-CN';
}

export type Params = Record<string, string | number>;

export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const msg = CATALOGUES[locale][key] ?? CATALOGUES['zh-CN'][key] ?? key;
  if (!params) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** Whether `key` names a message (for keys built from enum values). */
export function hasKey(key: string): key is MessageKey {
  return key in zhCN;
}
