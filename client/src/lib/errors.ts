/** A refused or failed command as one line of text for the operator. */
import { ApiError } from './api.ts';
import { i18n } from './i18n/index.svelte.ts';

export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 403) return i18n.t('error.forbidden');
    if (e.status === 409) return i18n.t('error.conflictWith', { message: e.message });
    if (e.status === 0) return i18n.t('error.network');
    return i18n.t('detail.actionFailed', { message: e.message });
  }
  return i18n.t('detail.actionFailed', { message: e instanceof Error ? e.message : String(e) });
}
