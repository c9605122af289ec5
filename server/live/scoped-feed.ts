import { withoutLinks } from '../../shared/camera.ts';
import type { Incident } from '../../shared/incident.ts';
import { inFeedScope, type FeedScope, type LiveEvent } from '../../shared/protocol.ts';

/** The fields of an incident that decide which scopes see it. */
type ScopeFields = { streetId: string | null; departmentId: string | null };

const CASE_EVENTS: ReadonlySet<LiveEvent['type']> = new Set([
  'incident.created',
  'incident.updated',
  'case.due_soon',
  'case.overdue',
]);
/** Events about an incident that carry only its id (`incidentId` or the archived `id`). */
const ABOUT_INCIDENT: ReadonlySet<LiveEvent['type']> = new Set([
  'incident.archived',
  'report.created',
  'dispatch.created',
]);
/** Not case data, and on every scoped wall: the district's posture and resource readiness. */
const CONTEXT: ReadonlySet<LiveEvent['type']> = new Set([
  'mode.changed',
  'resource.updated',
  'camera.updated',
]);

const fieldsOf = (i: { streetId: string | null; departmentId?: string | null }): ScopeFields => ({
  streetId: i.streetId,
  departmentId: i.departmentId ?? null,
});

/**
 * What a scoped feed needs to know that an event alone does not say: where each incident stood
 * before it (so an incident leaving a scope, dispatched elsewhere, still reaches that scope once).
 * It watches the log once, in order, as the fan-out receives it (`observe`), starting from the
 * working set at the seq the fan-out starts from (`seed`), and marks each event with the scope
 * fields its incident had just before it. Only events it observed can be filtered exactly; the
 * fan-out never asks it about others (a scoped console resuming from further back than memory
 * is told to resync). Unscoped consoles never touch it: it costs one map lookup per incident event.
 */
export class ScopeTracker {
  private readonly current = new Map<string, ScopeFields>();
  /** Per event about an incident: its scope fields just before the event (null: unknown then). */
  private readonly before = new WeakMap<LiveEvent, ScopeFields | null>();
  private seq: number;

  constructor(working: { seq: number; incidents: Incident[] }) {
    this.seq = working.seq;
    for (const i of working.incidents) this.current.set(i.id, fieldsOf(i));
  }

  /** Events from the log's tail, in order; any already seen are ignored. */
  observe(events: LiveEvent[]): void {
    for (const e of events) {
      if (e.seq <= this.seq) continue;
      this.seq = e.seq;
      if (CASE_EVENTS.has(e.type)) {
        const d = e.data as Incident;
        this.before.set(e, this.current.get(d.id) ?? null);
        this.current.set(d.id, fieldsOf(d));
      } else if (e.type === 'incident.archived') {
        this.before.set(e, this.current.get(e.data.id) ?? null);
        this.current.delete(e.data.id);
      } else if (e.type === 'report.created' || e.type === 'dispatch.created') {
        this.before.set(e, this.current.get(e.data.incidentId) ?? null);
      }
    }
  }

  /** Incidents it follows (the open working set). */
  get size(): number {
    return this.current.size;
  }

  /**
   * Whether a scope sees an event: its cases' events (an incident event where the incident is in
   * the scope now or was just before: the one that takes it out is the console's cue to drop
   * it), the field reports and resource dispatches of its cases, the mode and the resources.
   */
  sees(scope: FeedScope, e: LiveEvent): boolean {
    if (CONTEXT.has(e.type)) return true;
    if (CASE_EVENTS.has(e.type)) {
      if (inFeedScope(scope, e.data as Incident)) return true;
      const b = this.before.get(e);
      return !!b && inFeedScope(scope, b);
    }
    if (ABOUT_INCIDENT.has(e.type)) {
      const b = this.before.get(e);
      return !!b && inFeedScope(scope, b);
    }
    // Video alerts, operations, tasks, case rules, KPI reports: the centre's.
    return false;
  }

  /** The events of `events` a scope sees, in order (the same array when it sees them all). */
  filter(scope: FeedScope, events: LiveEvent[]): LiveEvent[] {
    let same = true;
    const out: LiveEvent[] = [];
    for (const e of events) {
      if (!this.sees(scope, e)) same = false;
      else if (e.type === 'camera.updated') {
        // As in the scoped snapshot: a camera without its device links (a copy; the frame is shared).
        out.push({ ...e, data: withoutLinks(e.data) });
        same = false;
      } else out.push(e);
    }
    return same ? events : out;
  }
}

/** One key per scope, to share a filtered frame between the consoles of one scope. */
export const scopeKey = (s: FeedScope): string =>
  s.streetId !== undefined ? `street:${s.streetId}` : `department:${s.departmentId ?? ''}`;
