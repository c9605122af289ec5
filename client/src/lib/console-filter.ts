/** The console's list: open incidents and open video alerts, filtered and sorted (pure). */
import type { Incident, Severity, VideoAlert } from '../../../shared/index.ts';

export type ListItem =
  | { kind: 'incident'; id: string; at: string; severity: Severity; item: Incident }
  | { kind: 'video_alert'; id: string; at: string; severity: null; item: VideoAlert };

export interface ListFilter {
  text: string;
  severities: ReadonlySet<Severity>;
  show: 'all' | 'incidents' | 'alerts';
  /** Incident category, or '' for any. */
  category: string;
}

export function matchesText(hay: readonly (string | undefined)[], text: string): boolean {
  const q = text.trim().toLowerCase();
  if (!q) return true;
  return hay.some((h) => h?.toLowerCase().includes(q));
}

/** Open items only (incidents not closed, alerts not dismissed), newest first; severity I first on ties. */
export function buildList(
  incidents: readonly Incident[],
  alerts: readonly VideoAlert[],
  f: ListFilter,
): ListItem[] {
  const out: ListItem[] = [];
  if (f.show !== 'alerts') {
    for (const i of incidents) {
      if (i.status === 'closed') continue;
      if (!f.severities.has(i.severity)) continue;
      if (f.category && i.category !== f.category) continue;
      if (!matchesText([i.title, i.address, i.locationLabel, i.description, i.id], f.text)) continue;
      out.push({ kind: 'incident', id: i.id, at: i.createdAt, severity: i.severity, item: i });
    }
  }
  if (f.show !== 'incidents' && !f.category) {
    for (const a of alerts) {
      if (a.status === 'dismissed') continue;
      if (!matchesText([a.cameraName, a.locationLabel, a.id], f.text)) continue;
      out.push({ kind: 'video_alert', id: a.id, at: a.createdAt, severity: null, item: a });
    }
  }
  out.sort((x, y) => (x.at < y.at ? 1 : x.at > y.at ? -1 : (x.severity ?? 5) - (y.severity ?? 5)));
  return out;
}
