/** Ticker lines from applied events: pure, so the wall's ticker is unit tested without a browser. */
import type { EventType, LiveEvent, Severity } from '../../../../shared/index.ts';
import { truncate } from '../../../../shared/text.ts';
import type { LiveData } from './apply-events.ts';

export interface TickerEntry {
  seq: number;
  at: string;
  type: EventType;
  /** Severity colour to show, when the event is about something that has one. */
  severity: Severity | null;
  /** A category, alert type, mode or resource status: translated by the view. */
  subtype: string;
  /** User text (incident title, camera name, plan name …): always rendered as text. */
  title: string;
  place: string;
  /** The entity to open when the line is clicked (incident or video alert id). */
  ref: { kind: 'incident' | 'video_alert' | 'operation' | 'resource'; id: string } | null;
}

export const TICKER_MAX = 100;

/** Event types the ticker shows; resource movements and task ticks are too chatty for it. */
const SHOWN = new Set<EventType>([
  'incident.created',
  'incident.updated',
  'video_alert.created',
  'video_alert.updated',
  'mode.changed',
  'operation.activated',
  'operation.stood_down',
  'dispatch.created',
  'report.created',
]);

export function tickerEntry(e: LiveEvent, d: Pick<LiveData, 'incidents' | 'resources'>): TickerEntry | null {
  if (!SHOWN.has(e.type)) return null;
  const base = { seq: e.seq, at: e.at, type: e.type };
  switch (e.type) {
    case 'incident.created':
    case 'incident.updated':
      return {
        ...base,
        severity: e.data.severity,
        subtype: e.type === 'incident.updated' ? e.data.status : e.data.category,
        title: e.data.title,
        place: e.data.address || e.data.locationLabel,
        ref: { kind: 'incident', id: e.data.id },
      };
    case 'video_alert.created':
    case 'video_alert.updated':
      return {
        ...base,
        severity: null,
        subtype: e.type === 'video_alert.updated' ? e.data.status : e.data.type,
        title: e.data.cameraName,
        place: e.data.locationLabel,
        ref: { kind: 'video_alert', id: e.data.id },
      };
    case 'mode.changed':
      return {
        ...base,
        severity: e.data.state === 'wartime' ? 1 : null,
        subtype: e.data.state,
        title: e.data.reason ?? '',
        place: '',
        ref: null,
      };
    case 'operation.activated':
    case 'operation.stood_down': {
      const inc = d.incidents.get(e.data.incidentId);
      return {
        ...base,
        severity: e.data.level,
        subtype: e.data.status,
        title: e.data.name,
        place: inc ? inc.address || inc.locationLabel : '',
        ref: { kind: 'incident', id: e.data.incidentId },
      };
    }
    case 'dispatch.created': {
      const inc = d.incidents.get(e.data.incidentId);
      const res = d.resources.get(e.data.resourceId);
      return {
        ...base,
        severity: inc?.severity ?? null,
        subtype: res?.type ?? '',
        title: res?.name ?? e.data.resourceId,
        place: inc ? inc.address || inc.locationLabel : '',
        ref: { kind: 'incident', id: e.data.incidentId },
      };
    }
    case 'report.created': {
      const inc = d.incidents.get(e.data.incidentId);
      return {
        ...base,
        severity: inc?.severity ?? null,
        subtype: '',
        title: truncate(e.data.text, 120),
        place: inc ? inc.address || inc.locationLabel : '',
        ref: { kind: 'incident', id: e.data.incidentId },
      };
    }
    default:
      return null;
  }
}

/** New entries first; the list never grows past `max`. */
export function pushTicker(
  list: readonly TickerEntry[],
  applied: readonly LiveEvent[],
  d: Pick<LiveData, 'incidents' | 'resources'>,
  max = TICKER_MAX,
): TickerEntry[] {
  const fresh: TickerEntry[] = [];
  for (let i = applied.length - 1; i >= 0 && fresh.length < max; i--) {
    const t = tickerEntry(applied[i], d);
    if (t) fresh.push(t);
  }
  if (fresh.length === 0) return list as TickerEntry[];
  return fresh.concat(list.slice(0, Math.max(0, max - fresh.length)));
}
