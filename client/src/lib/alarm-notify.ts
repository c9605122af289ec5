/**
 * Alarms that reach people in another tab: each new severity I/II incident raises a browser
 * notification while the page is hidden (lib/notify.ts), and its notification closes once the
 * alarm is acknowledged on any console.
 */
import type { Incident } from '../../../shared/index.ts';
import { agoText, streetName } from './alarm-text.ts';
import { i18n } from './i18n/index.svelte.ts';
import type { LiveStore } from './live/live-store.svelte.ts';
import { closeAlarmNotice, notifyAlarm } from './notify.ts';

export function watchAlarmNotices(live: LiveStore, onOpen: (incidentId: string) => void): () => void {
  // callbacks' bookkeeping, not state
  const raised = new Set<string>();
  const offAlarm = live.onAlarm((inc: Incident) => {
    const place = [streetName(live.grid, inc), inc.address || inc.locationLabel].filter(Boolean).join(' · ');
    const shown = notifyAlarm(
      {
        id: inc.id,
        title: i18n.t('alarm.notifyTitle', {
          severity: i18n.t(`severity.${inc.severity}`),
          title: inc.title,
        }),
        body: `${place}\n${i18n.e('category', inc.category)} · ${agoText(inc.createdAt, Date.now(), i18n.t)}`,
      },
      onOpen,
    );
    if (shown) raised.add(inc.id);
  });
  const offChanges = live.onChanges(() => {
    for (const id of raised) {
      if (live.alarms.includes(id)) continue;
      closeAlarmNotice(id);
      raised.delete(id);
    }
  });
  return () => {
    offAlarm();
    offChanges();
  };
}
