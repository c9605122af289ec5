import { withoutLinks } from '../../shared/camera.ts';
import type { LiveEvent, Snapshot } from '../../shared/protocol.ts';
import { inScope, type Scope } from './scope.ts';

/**
 * A scoped user's snapshot: its own cases, and of the rest only what a wall needs that is not
 * case data: the mode (peacetime or wartime is the district's posture), the resources (readiness
 * on the map), the cameras without their device links, and the plan library (reference). Video alerts are the duty officer's to review
 * (unconfirmed, not yet anyone's case) and operations the commander's, so neither is shown. The
 * `seq` stays the log's: the feed resumes from it.
 */
export function scopeSnapshot(s: Snapshot, scope: Scope | null): Snapshot {
  if (scope?.kind === 'all') return s;
  return {
    ...s,
    incidents: s.incidents.filter((i) => inScope(scope, i)),
    videoAlerts: [],
    operations: [],
    cameras: s.cameras.map(withoutLinks),
  };
}

/** The event types a scoped feed carries besides its cases' (the same parts as its snapshot). */
export const SCOPED_CONTEXT_EVENTS: ReadonlySet<LiveEvent['type']> = new Set([
  'mode.changed',
  'resource.updated',
  // Warnings are the district's, not a case's: every wall shows them (as in the snapshot).
  'warning.issued',
  'warning.updated',
  'warning.cancelled',
  'warning.expired',
  // Cameras are on every map (where they stand, whether they report).
  'camera.updated',
]);

const CASE_EVENTS: ReadonlySet<LiveEvent['type']> = new Set([
  'incident.created',
  'incident.updated',
  'case.due_soon',
  'case.overdue',
]);

/**
 * The events of a past window a scoped user may see (the ticker's `GET /api/v1/events/recent`):
 * its cases' events as they stand in each event, and the mode and resources. Unlike the live feed
 * this knows no incident's earlier scope, so an incident's leaving is not among them (the ticker
 * only names what happened; the snapshot is what the wall shows).
 */
export function scopeRecentEvents(events: LiveEvent[], scope: Scope | null): LiveEvent[] {
  if (scope?.kind === 'all') return events;
  return events
    .filter(
      (e) =>
        SCOPED_CONTEXT_EVENTS.has(e.type) ||
        (CASE_EVENTS.has(e.type) && inScope(scope, e.data as { streetId: string | null })),
    )
    .map((e) => (e.type === 'camera.updated' ? { ...e, data: withoutLinks(e.data) } : e));
}

/**
 * A case search narrowed to a scope: the scope's own filter ANDed with the caller's. `null` when
 * nothing can match (a subcentre asking for another street, a broken binding): the answer is an
 * empty page, as for any filter that matches nothing.
 */
export function scopeCaseQuery<Q extends { streetId?: string; departmentId?: string }>(
  q: Q,
  scope: Scope | null,
): Q | null {
  if (scope?.kind === 'all') return q;
  if (!scope) return null;
  if (scope.kind === 'street') {
    if (q.streetId !== undefined && q.streetId !== scope.streetId) return null;
    return { ...q, streetId: scope.streetId };
  }
  if (q.departmentId !== undefined && q.departmentId !== scope.departmentId) return null;
  return { ...q, departmentId: scope.departmentId };
}
