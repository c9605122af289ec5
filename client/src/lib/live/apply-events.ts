/**
 * The pure heart of the live state: a snapshot plus events applied strictly by `seq`.
 * No Svelte, no DOM, no timers — unit tested and fuzzed in apply-events.test.ts.
 */
import { inFeedScope } from '../../../../shared/protocol.ts';
import type {
  CameraState,
  Dispatch,
  FeedScope,
  FieldReport,
  Incident,
  IncidentHistoryEntry,
  LiveEvent,
  Mode,
  Operation,
  Plan,
  Resource,
  Snapshot,
  VideoAlert,
} from '../../../../shared/index.ts';
import type { Warning } from '../../../../shared/warning.ts';
import { UNROUTED_CASE } from '../../../../shared/case.ts';

/** Which parts of the state a batch touched; the map updates one source per touched part. */
export interface Changes {
  incidents: boolean;
  videoAlerts: boolean;
  resources: boolean;
  operations: boolean;
  mode: boolean;
  reports: boolean;
  dispatches: boolean;
  warnings: boolean;
  cameras: boolean;
}

export interface LiveData {
  /** Every event with seq ≤ this one is applied, none after. */
  seq: number;
  mode: Mode;
  incidents: Map<string, Incident>;
  videoAlerts: Map<string, VideoAlert>;
  resources: Map<string, Resource>;
  operations: Map<string, Operation>;
  /** Active early warnings (CAP) that consoles show: routed live or drill, not yet ended. */
  warnings: Map<string, Warning>;
  /** Every camera with its links and whether it reports (`camera.updated` replaces one). */
  cameras: Map<string, CameraState>;
  plans: Plan[];
  /** Field reports seen on the feed, per incident (the snapshot does not carry them). */
  reports: Map<string, FieldReport[]>;
  /** Recent dispatches seen on the feed, newest last, capped. */
  dispatches: Dispatch[];
  /** Events that arrived ahead of a gap, keyed by seq, waiting for the missing ones. */
  pending: Map<number, LiveEvent>;
  /**
   * The last copy of items that recently left the working set (`*.archived`), by id, oldest
   * first, capped: the ticker names what left, and a panel still open on it can say so.
   */
  archived: Map<string, ArchivedItem>;
  /**
   * A scoped feed's scope (the socket's `hello` says it): its events keep the log's seq, so they
   * have gaps, and an incident that leaves the scope comes once more, to be dropped.
   */
  scope?: FeedScope;
}

export type ArchivedItem =
  | { kind: 'incident'; item: Incident }
  | { kind: 'video_alert'; item: VideoAlert }
  | { kind: 'operation'; item: Operation };

export interface BatchResult {
  /** The events actually applied, in seq order. */
  applied: LiveEvent[];
  /** Events ignored because their seq was already applied. */
  duplicates: number;
  /** True when events are waiting behind a missing seq: the caller must catch up. */
  gap: boolean;
  changes: Changes;
}

export const MAX_DISPATCHES = 500;
/** Archived items remembered (their last copy); an archive sweep may drop hundreds at once. */
export const MAX_ARCHIVED_KEPT = 500;
/** Held-back events beyond this many are dropped; catch-up resends them anyway. */
export const MAX_PENDING = 10_000;

export function noChanges(): Changes {
  return {
    incidents: false,
    videoAlerts: false,
    resources: false,
    operations: false,
    mode: false,
    reports: false,
    dispatches: false,
    warnings: false,
    cameras: false,
  };
}

export function allChanges(): Changes {
  return {
    incidents: true,
    videoAlerts: true,
    resources: true,
    operations: true,
    mode: true,
    reports: true,
    dispatches: true,
    warnings: true,
    cameras: true,
  };
}

function byId<T extends { id: string }>(items: readonly T[]): Map<string, T> {
  const m = new Map<string, T>();
  for (const it of items) m.set(it.id, it);
  return m;
}

/**
 * A v1 incident (protocol 1, still in the record: the replay and the audit trail read old events)
 * carries its whole `history` and no `lastAction`. The live state holds v2 incidents only: the
 * last history entry becomes `lastAction` and the history is dropped (it can be long, and the
 * panel fetches the record anyway). A v2 incident is returned as it is.
 */
export function toV2Incident(inc: Incident): Incident {
  const v1 = inc as Incident & { history?: IncidentHistoryEntry[] };
  // v3's case fields: an incident from before them is a case at community level, not yet routed.
  const cased = v1.steps === undefined ? { ...UNROUTED_CASE, ...v1 } : v1;
  if (cased.lastAction && cased.history === undefined) return cased;
  const { history, ...rest } = cased;
  const lastAction: IncidentHistoryEntry = cased.lastAction ??
    history?.[history.length - 1] ?? { at: inc.updatedAt, action: inc.status };
  return { ...rest, lastAction };
}

export function fromSnapshot(s: Snapshot): LiveData {
  return {
    seq: s.seq,
    mode: s.mode,
    incidents: byId(s.incidents.map(toV2Incident)),
    videoAlerts: byId(s.videoAlerts),
    resources: byId(s.resources),
    operations: byId(s.operations),
    // an older server's snapshot has no warnings; the server filters, the client checks again
    warnings: byId((s.warnings ?? []).filter(isShown)),
    // A server before protocol v4 sends no cameras.
    cameras: byId(s.cameras ?? []),
    plans: s.plans,
    reports: new Map(),
    dispatches: [],
    pending: new Map(),
    archived: new Map(),
  };
}

/**
 * A warning the consoles show: active and routed `live` or `drill` (Test/System messages are
 * stored, never shown). An update that ends it (cancelled, superseded, expired) removes it.
 */
export function isShown(w: Warning): boolean {
  return w.state === 'active' && w.routing !== 'stored';
}

/** Replace or remove a warning by its newest version; true when the shown set changed. */
function applyWarning(d: LiveData, w: Warning, ended: boolean): boolean {
  const prev = d.warnings.get(w.id);
  if (prev && prev.version > w.version) return false;
  if (ended || !isShown(w)) return d.warnings.delete(w.id);
  d.warnings.set(w.id, w);
  return true;
}

/** Keep the newer of two versions of an entity (equal versions: the later event wins). */
function upsert<T extends { id: string; version: number }>(map: Map<string, T>, next: T): boolean {
  const prev = map.get(next.id);
  if (prev && prev.version > next.version) return false;
  map.set(next.id, next);
  return true;
}

/** Apply one event known to be the next in sequence. */
function applyOne(d: LiveData, e: LiveEvent, ch: Changes): void {
  switch (e.type) {
    case 'incident.created':
    case 'incident.updated':
    case 'case.due_soon':
    case 'case.overdue':
      if (d.scope && !inFeedScope(d.scope, e.data)) {
        // It left this console's scope (dispatched elsewhere): this is the last it hears of it.
        if (d.incidents.delete(e.data.id)) ch.incidents = true;
        break;
      }
      if (upsert(d.incidents, toV2Incident(e.data))) ch.incidents = true;
      break;
    case 'video_alert.created':
    case 'video_alert.updated':
      if (upsert(d.videoAlerts, e.data)) ch.videoAlerts = true;
      break;
    case 'warning.issued':
    case 'warning.updated':
      if (applyWarning(d, e.data, false)) ch.warnings = true;
      break;
    case 'warning.cancelled':
    case 'warning.expired':
      if (applyWarning(d, e.data, true)) ch.warnings = true;
      break;
    case 'resource.updated':
      if (upsert(d.resources, e.data)) ch.resources = true;
      break;
    case 'operation.activated':
    case 'operation.updated':
    case 'operation.stood_down':
      if (upsert(d.operations, e.data)) ch.operations = true;
      break;
    case 'task.updated': {
      const { operationId, ...task } = e.data;
      const op = d.operations.get(operationId);
      if (op) {
        const tasks = op.tasks.some((t) => t.id === task.id)
          ? op.tasks.map((t) => (t.id === task.id ? task : t))
          : [...op.tasks, task];
        d.operations.set(op.id, { ...op, tasks });
        ch.operations = true;
      }
      break;
    }
    case 'camera.updated':
      // Cameras carry no version: events come in seq order, so the latest is the state.
      d.cameras.set(e.data.id, e.data);
      ch.cameras = true;
      break;
    case 'mode.changed': {
      const { id: _id, ...mode } = e.data;
      d.mode = mode;
      ch.mode = true;
      break;
    }
    case 'dispatch.created':
      d.dispatches.push(e.data);
      if (d.dispatches.length > MAX_DISPATCHES) d.dispatches.splice(0, d.dispatches.length - MAX_DISPATCHES);
      ch.dispatches = true;
      break;
    case 'report.created': {
      const list = d.reports.get(e.data.incidentId) ?? [];
      if (!list.some((r) => r.id === e.data.id)) {
        d.reports.set(e.data.incidentId, [...list, e.data]);
        ch.reports = true;
      }
      break;
    }
    case 'incident.archived': {
      const inc = d.incidents.get(e.data.id);
      if (inc) {
        d.incidents.delete(inc.id);
        remember(d, { kind: 'incident', item: inc });
        ch.incidents = true;
      }
      // its field reports and dispatches go with it (a closed case has no live response left)
      if (d.reports.delete(e.data.id)) ch.reports = true;
      if (dropDispatches(d, (x) => x.incidentId === e.data.id)) ch.dispatches = true;
      break;
    }
    case 'video_alert.archived': {
      const alert = d.videoAlerts.get(e.data.id);
      if (alert) {
        d.videoAlerts.delete(alert.id);
        remember(d, { kind: 'video_alert', item: alert });
        ch.videoAlerts = true;
      }
      break;
    }
    case 'operation.archived': {
      const op = d.operations.get(e.data.id);
      if (op) {
        d.operations.delete(op.id);
        remember(d, { kind: 'operation', item: op });
        ch.operations = true;
        // The field reports are kept per incident: they go with the operation unless its
        // incident is still in the working set (a case still open keeps its reports on screen).
        if (!d.incidents.has(op.incidentId) && d.reports.delete(op.incidentId)) ch.reports = true;
      }
      if (dropDispatches(d, (x) => x.operationId === e.data.id)) ch.dispatches = true;
      break;
    }
    default: {
      // An event type this client does not know yet: its seq still counts.
      break;
    }
  }
}

function remember(d: LiveData, a: ArchivedItem): void {
  d.archived.delete(a.item.id);
  d.archived.set(a.item.id, a);
  if (d.archived.size > MAX_ARCHIVED_KEPT) {
    const oldest = d.archived.keys().next().value;
    if (oldest !== undefined) d.archived.delete(oldest);
  }
}

/** Removes the dispatches matching `gone`, in place; true when there were any. */
function dropDispatches(d: LiveData, gone: (x: Dispatch) => boolean): boolean {
  const kept = d.dispatches.filter((x) => !gone(x));
  if (kept.length === d.dispatches.length) return false;
  d.dispatches = kept;
  return true;
}

/**
 * Apply a batch of events (any order, maybe with duplicates or holes) to `d`, in place.
 * Events at or below `d.seq` are ignored; events past a hole wait in `d.pending` until the hole
 * is filled (by a later batch, typically the catch-up the caller starts when `gap` is true).
 */
export function applyBatch(d: LiveData, events: readonly LiveEvent[]): BatchResult {
  if (d.scope) return applyScopedBatch(d, events);
  const changes = noChanges();
  const applied: LiveEvent[] = [];
  let duplicates = 0;
  for (const e of events) {
    if (!e || typeof e.seq !== 'number' || !Number.isInteger(e.seq)) continue;
    if (e.seq <= d.seq || d.pending.has(e.seq)) {
      duplicates++;
      continue;
    }
    d.pending.set(e.seq, e);
  }
  let next = d.pending.get(d.seq + 1);
  while (next) {
    d.pending.delete(next.seq);
    applyOne(d, next, changes);
    d.seq = next.seq;
    applied.push(next);
    next = d.pending.get(d.seq + 1);
  }
  if (d.pending.size > MAX_PENDING) {
    const keep = [...d.pending.keys()].sort((a, b) => a - b).slice(0, MAX_PENDING);
    const kept = new Map(keep.map((s) => [s, d.pending.get(s)!]));
    d.pending = kept;
  }
  return { applied, duplicates, gap: d.pending.size > 0, changes };
}

/**
 * A scoped feed: the server sends every in-scope event after the seq the socket resumed from, in
 * order, none twice, and nothing of other scopes, so a hole in the seqs is not a missing event.
 * Every event past the last applied is applied at once, in seq order; what is at or below it is
 * a duplicate (a reconnect resends from the last seq seen).
 */
function applyScopedBatch(d: LiveData, events: readonly LiveEvent[]): BatchResult {
  const changes = noChanges();
  const applied: LiveEvent[] = [];
  let duplicates = 0;
  const fresh = events
    .filter((e) => e && typeof e.seq === 'number' && Number.isInteger(e.seq))
    .sort((a, b) => a.seq - b.seq);
  for (const e of fresh) {
    if (e.seq <= d.seq) {
      duplicates++;
      continue;
    }
    applyOne(d, e, changes);
    d.seq = e.seq;
    applied.push(e);
  }
  return { applied, duplicates, gap: false, changes };
}

/** The highest seq the client knows exists (applied or waiting). */
export function knownHead(d: LiveData): number {
  let head = d.seq;
  for (const s of d.pending.keys()) if (s > head) head = s;
  return head;
}
