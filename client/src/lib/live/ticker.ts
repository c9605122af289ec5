/** Ticker lines from applied events: pure, so the wall's ticker is unit tested without a browser. */
import type { EventType, LiveEvent, Severity } from '../../../../shared/index.ts';
import { truncate } from '../../../../shared/text.ts';
import { toV2Incident, type LiveData } from './apply-events.ts';

export interface TickerEntry {
  seq: number;
  at: string;
  type: EventType;
  /** Severity colour to show, when the event is about something that has one. */
  severity: Severity | null;
  /**
   * A category, alert type, mode or resource status, or for an updated incident what the update
   * did (its `lastAction`: a status or a history action): translated by the view.
   */
  subtype: string;
  /** User text (incident title, camera name, plan name …): always rendered as text. */
  title: string;
  place: string;
  /** The entity to open when the line is clicked (incident or video alert id). */
  ref: { kind: 'incident' | 'video_alert' | 'operation' | 'resource'; id: string } | null;
  /** Items archived by the same sweep, folded into this one line (absent: one). */
  count?: number;
}

type TickerData = Pick<LiveData, 'incidents' | 'resources'> & Partial<Pick<LiveData, 'archived'>>;

const ARCHIVED = new Set<EventType>(['incident.archived', 'video_alert.archived', 'operation.archived']);

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
  ...ARCHIVED,
]);

/** Called after the batch is applied: what an `*.archived` event removed is in `d.archived`. */
export function tickerEntry(e: LiveEvent, d: TickerData): TickerEntry | null {
  if (!SHOWN.has(e.type)) return null;
  const base = { seq: e.seq, at: e.at, type: e.type };
  switch (e.type) {
    case 'incident.created':
    case 'incident.updated':
      return {
        ...base,
        severity: e.data.severity,
        // an old (v1) event from the record has no lastAction: its last history entry stands in
        subtype: e.type === 'incident.updated' ? toV2Incident(e.data).lastAction.action : e.data.category,
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
    case 'incident.archived':
    case 'video_alert.archived':
    case 'operation.archived': {
      const gone = d.archived?.get(e.data.id);
      const base2 = { ...base, severity: null, subtype: '', ref: null };
      if (!gone) return { ...base2, title: e.data.id, place: '' };
      switch (gone.kind) {
        case 'incident':
          return {
            ...base2,
            title: gone.item.title,
            place: gone.item.address || gone.item.locationLabel,
            // the panel reads an archived case from the record
            ref: { kind: 'incident', id: gone.item.id },
          };
        case 'video_alert':
          return { ...base2, title: gone.item.cameraName, place: gone.item.locationLabel };
        case 'operation': {
          const inc = d.incidents.get(gone.item.incidentId);
          return {
            ...base2,
            title: gone.item.name,
            place: inc ? inc.address || inc.locationLabel : '',
            ref: { kind: 'incident', id: gone.item.incidentId },
          };
        }
      }
      return null;
    }
    default:
      return null;
  }
}

/**
 * New entries first; the list never grows past `max`. Consecutive `*.archived` events of one type
 * in a batch fold into one line (an archive sweep can remove hundreds of items a day after a
 * storm, and must not push the live lines off the wall).
 */
export function pushTicker(
  list: readonly TickerEntry[],
  applied: readonly LiveEvent[],
  d: TickerData,
  max = TICKER_MAX,
): TickerEntry[] {
  const fresh: TickerEntry[] = [];
  for (let i = applied.length - 1; i >= 0 && fresh.length < max; i--) {
    const e = applied[i];
    const prev = fresh[fresh.length - 1];
    // `prev` is the line of the last shown event before this one (newer): fold into it
    if (prev && ARCHIVED.has(e.type) && prev.type === e.type) {
      prev.count = (prev.count ?? 1) + 1;
      continue;
    }
    const t = tickerEntry(e, d);
    if (t) fresh.push(t);
  }
  if (fresh.length === 0) return list as TickerEntry[];
  return fresh.concat(list.slice(0, Math.max(0, max - fresh.length)));
}
