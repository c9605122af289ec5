/**
 * PURE helpers for the wartime views: which operations are running, how a task stands against its
 * clock, what a resource or a case may do next, the cordon circle, the report timeline.
 * No Svelte, no DOM: unit tested in war.test.ts.
 */
import {
  destination,
  EARTH_RADIUS_M,
  CASE_MAIN_LINE,
  RESOURCE_TRANSITIONS,
  type FieldReport,
  type Incident,
  type LngLat,
  type Operation,
  type OperationTask,
  type ResourceStatus,
  type TaskStatus,
} from '../../../shared/index.ts';

/** Active operations, the most recently activated first (the one a wall frames by default). */
export function activeOperations(ops: Iterable<Operation>): Operation[] {
  return [...ops]
    .filter((o) => o.status === 'active')
    .sort((a, b) =>
      a.activatedAt < b.activatedAt ? 1 : a.activatedAt > b.activatedAt ? -1 : a.id < b.id ? 1 : -1,
    );
}

/** The focused operation: the chosen one while it is active, else the newest active one. */
export function focusedOperation(active: readonly Operation[], chosenId: string | null): Operation | null {
  return active.find((o) => o.id === chosenId) ?? active[0] ?? null;
}

/** A task's column on the board: overdue beats pending/in progress/blocked; done is done. */
export type TaskColumn = TaskStatus | 'overdue';
export const TASK_COLUMNS: readonly TaskColumn[] = ['overdue', 'pending', 'in_progress', 'blocked', 'done'];

export function taskColumn(task: OperationTask, now: number): TaskColumn {
  if (task.status === 'done') return 'done';
  if (task.overdue || now >= Date.parse(task.dueAt)) return 'overdue';
  return task.status;
}

/** Tasks per column, each column by due time then plan order. */
export function taskBoard(tasks: readonly OperationTask[], now: number): Record<TaskColumn, OperationTask[]> {
  const out: Record<TaskColumn, OperationTask[]> = {
    overdue: [],
    pending: [],
    in_progress: [],
    blocked: [],
    done: [],
  };
  for (const t of tasks) out[taskColumn(t, now)].push(t);
  for (const col of TASK_COLUMNS)
    out[col].sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.order - b.order));
  return out;
}

/** "12:05" / "1:02:05"; negative durations get a leading minus. */
export function clockText(ms: number): string {
  const neg = ms < 0;
  let s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const pad = (x: number) => String(x).padStart(2, '0');
  const body = h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
  return neg ? `-${body}` : body;
}

/** Time left until a task is due (negative once past due). */
export function dueInMs(task: OperationTask, now: number): number {
  return Date.parse(task.dueAt) - now;
}

/** Elapsed since an ISO time, never negative (clocks of server and screen may differ a little). */
export function elapsedMs(since: string, now: number): number {
  return Math.max(0, now - Date.parse(since));
}

/** The next step of the case lifecycle, or null once closed. */
export function nextCaseStatus(status: Incident['status']): Incident['status'] | null {
  const order: readonly Incident['status'][] = CASE_MAIN_LINE;
  const i = order.indexOf(status);
  return i >= 0 && i < order.length - 1 ? order[i + 1] : null;
}

/** The statuses a liaison may set by hand (dispatching is a commander's act with its own route). */
export const FIELD_RESOURCE_STATUSES: readonly ResourceStatus[] = [
  'en_route',
  'on_scene',
  'returning',
  'available',
];

/** Which of the field statuses a resource may go to from `status` (RESOURCE_TRANSITIONS). */
export function resourceNextStatuses(status: ResourceStatus): ResourceStatus[] {
  return FIELD_RESOURCE_STATUSES.filter((s) => RESOURCE_TRANSITIONS[status].includes(s));
}

/** The status a task button moves to, per current status: the big buttons of /field. */
export const TASK_ACTIONS: readonly TaskStatus[] = ['in_progress', 'done', 'blocked', 'pending'];
export function taskActions(status: TaskStatus): TaskStatus[] {
  return TASK_ACTIONS.filter((s) => s !== status);
}

/** A circle of `radiusM` around `center` as a closed GeoJSON ring (lng/lat), `steps` segments. */
export function circleRing(center: LngLat, radiusM: number, steps = 64): [number, number][] {
  const ring: [number, number][] = [];
  for (let i = 0; i < steps; i++) {
    // Counter-clockwise from east, as the ring always ran.
    const p = destination(center, radiusM, Math.PI / 2 - (2 * Math.PI * i) / steps);
    ring.push([p.lng, p.lat]);
  }
  ring.push(ring[0]);
  return ring;
}

/** [[w, s], [e, n]] around a circle of `radiusM`. */
export function circleBounds(center: LngLat, radiusM: number): [[number, number], [number, number]] {
  const dLat = (radiusM / EARTH_RADIUS_M) * (180 / Math.PI);
  const dLng = dLat / Math.max(1e-6, Math.cos((center.lat * Math.PI) / 180));
  return [
    [center.lng - dLng, center.lat - dLat],
    [center.lng + dLng, center.lat + dLat],
  ];
}

/** How much ground a wartime map shows around the cordon: the circle and the approach roads. */
export function frameRadiusM(cordonRadiusM: number): number {
  return Math.max(600, cordonRadiusM * 3);
}

/** Fetched reports and those from the feed, once each, oldest first. */
export function mergeReports(...lists: readonly (readonly FieldReport[] | undefined)[]): FieldReport[] {
  const byId = new Map<string, FieldReport>();
  for (const l of lists) for (const r of l ?? []) byId.set(r.id, r);
  return [...byId.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : 1));
}

/** Ids of the incidents of active operations (their map points stay bright in wartime). */
export function focusIncidentIds(ops: Iterable<Operation>): Set<string> {
  const s = new Set<string>();
  for (const o of ops) if (o.status === 'active') s.add(o.incidentId);
  return s;
}

/**
 * The proposals that can still be dispatched: their resource is known and available now. What a
 * commander ticks before activating, and what "dispatch all" sends on a running operation.
 */
export function openProposals<P extends { resourceId: string }>(
  proposals: readonly P[],
  resources: ReadonlyMap<string, { status: ResourceStatus }>,
): P[] {
  return proposals.filter((p) => resources.get(p.resourceId)?.status === 'available');
}

/**
 * The alarm the "open the newest alarm" key opens: the newest unacknowledged one, else the newest
 * open severity I/II emergency that no operation answers yet.
 */
export function newestAlarm(
  alarms: readonly string[],
  incidents: Iterable<Pick<Incident, 'id' | 'kind' | 'severity' | 'status' | 'operationIds' | 'createdAt'>>,
): string | null {
  if (alarms.length) return alarms[alarms.length - 1];
  let best: { id: string; createdAt: string } | null = null;
  for (const i of incidents) {
    if (i.kind !== 'emergency' || i.severity > 2 || i.operationIds.length) continue;
    if (i.status === 'closed' || i.status === 'voided') continue;
    if (!best || i.createdAt > best.createdAt) best = i;
  }
  return best?.id ?? null;
}
