/** Plain-text popup lines for map features, looked up from the live store by id. */
import type { LiveStore } from './live/live-store.svelte.ts';
import type { PopupText } from './map/controller.ts';
import { i18n } from './i18n/index.svelte.ts';

export function popupTextFor(live: LiveStore): PopupText {
  return (kind, id) => {
    if (kind === 'incident') {
      const i = live.getIncident(id);
      if (!i) return null;
      return [
        i.title,
        `${i18n.t(`severity.${i.severity}`)} · ${i18n.e('category', i.category)} · ${i18n.e('status', i.status)}`,
        i.address || i.locationLabel,
        i18n.dt(i.createdAt),
      ];
    }
    if (kind === 'video_alert') {
      const a = live.getVideoAlert(id);
      if (!a) return null;
      return [
        `${i18n.t('event.video_alert.created')} · ${i18n.e('alertType', a.type)}`,
        a.cameraName,
        a.locationLabel,
        `${i18n.e('alertStatus', a.status)} · ${i18n.dt(a.observedAt)}`,
      ];
    }
    if (kind === 'resource') {
      const r = live.getResource(id);
      if (!r) return null;
      return [r.name, `${i18n.e('resourceType', r.type)} · ${i18n.e('resourceStatus', r.status)}`, r.unit];
    }
    if (kind === 'camera') {
      const c = live.cameras.find((x) => x.id === id);
      if (!c) return null;
      const status = 'status' in c ? c.status : 'unknown';
      const seen = 'lastSeenAt' in c ? c.lastSeenAt : null;
      return [
        c.name,
        `${i18n.t('map.camera')} · ${i18n.e('cameraKind', c.kind)} · ${i18n.e('cameraStatus', status)}`,
        seen ? i18n.t('camera.lastSeen', { at: i18n.dt(seen) }) : i18n.t('camera.neverSeen'),
      ];
    }
    return null;
  };
}
