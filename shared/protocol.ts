/**
 * The live wire protocol (v1): one module shared by server and client.
 * Every state change is an event in one ordered log; consoles load a snapshot and then apply
 * events strictly by `seq`.
 */
import { z } from 'zod';
import { CameraState } from './camera.ts';
import { CaseRules } from './case-rules.ts';
import { FootageRequest } from './footage.ts';
import { Id, IsoTime, Mode } from './common.ts';
import { KpiReport } from './kpi.ts';
import { FieldReport, Incident } from './incident.ts';
import { Dispatch, Operation, OperationTask } from './operation.ts';
import { Plan } from './plan.ts';
import { Resource } from './resource.ts';
import { text } from './text.ts';
import { VideoAlert } from './video-alert.ts';
import { Warning } from './warning.ts';

/**
 * v2: incidents are bounded (no `history`; `lastAction`; the latest RECENT_IDS_KEPT merged and
 * alert ids), and finished items leave the working set by `*.archived` events.
 * v3: peacetime case handling: incidents carry their case fields (`departmentId`, `level`,
 * `steps`…) and statuses `deferred`/`voided`; deadlines (`case.due_soon`, `case.overdue`), the case
 * rules (`case_rules.changed`) and KPI reports (`kpi_report.created`) are events.
 * v4: cameras are state (`camera.updated`: their device links and whether they report), and
 * footage retrieval for the police is recorded (`footage_request.created`/`.updated`).
 */
export const PROTOCOL_VERSION = 4;
export const LIVE_NAMESPACE = '/live';

export const EVENT_TYPES = [
  'incident.created',
  'incident.updated',
  'video_alert.created',
  'video_alert.updated',
  'mode.changed',
  'operation.activated',
  'operation.updated',
  'operation.stood_down',
  'task.updated',
  'resource.updated',
  'dispatch.created',
  'report.created',
  // v2: a finished item left the working set (it stays in the record for good).
  'incident.archived',
  'video_alert.archived',
  'operation.archived',
  // v3: peacetime case handling.
  'case.due_soon',
  'case.overdue',
  'case_rules.changed',
  'kpi_report.created',
  // Early warnings (CAP 1.2): the thread as it now stands.
  'warning.issued',
  'warning.updated',
  'warning.cancelled',
  'warning.expired',
  // v4: cameras (links, online/offline) and footage retrieval (调取录像).
  'camera.updated',
  'footage_request.created',
  'footage_request.updated',
] as const;
export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

/**
 * A closed case, a dismissed (or finished) alert or a stood-down operation left Redis, once the
 * history database held it and it had been finished long enough (ARCHIVE_AFTER_MS). Consoles
 * drop it (an operation with its reports and dispatches); reads go to the record.
 */
export const Archived = z.object({ id: Id });

/** The payload of each event type: the changed entity, with its `id`. */
export const EVENT_DATA = {
  'incident.created': Incident,
  'incident.updated': Incident,
  'video_alert.created': VideoAlert,
  'video_alert.updated': VideoAlert,
  'mode.changed': Mode.extend({ id: z.literal('mode') }),
  'operation.activated': Operation,
  'operation.updated': Operation,
  'operation.stood_down': Operation,
  'task.updated': OperationTask.extend({ operationId: z.string() }),
  'resource.updated': Resource,
  'dispatch.created': Dispatch,
  'report.created': FieldReport,
  'incident.archived': Archived,
  'video_alert.archived': Archived,
  'operation.archived': Archived,
  // The case with its current step marked `dueSoon` (80 % of its limit) or `overdue` (100 %).
  'case.due_soon': Incident,
  'case.overdue': Incident,
  'case_rules.changed': CaseRules.extend({ id: z.literal('case-rules') }),
  'kpi_report.created': KpiReport,
  'warning.issued': Warning,
  'warning.updated': Warning,
  'warning.cancelled': Warning,
  'warning.expired': Warning,
  'camera.updated': CameraState,
  'footage_request.created': FootageRequest,
  'footage_request.updated': FootageRequest,
} as const satisfies Record<EventType, z.ZodType>;

export type EventData<T extends EventType> = z.infer<(typeof EVENT_DATA)[T]>;

export const LiveEvent = z.object({
  seq: z.number().int().positive(),
  type: EventType,
  at: IsoTime,
  actor: text.stored().optional(),
  data: z.record(z.string(), z.unknown()).and(z.object({ id: z.string() })),
});
/** The envelope; `data` is typed by `type`. */
export type LiveEvent = {
  [T in EventType]: { seq: number; type: T; at: string; actor?: string; data: EventData<T> };
}[EventType];

/** An event before the log gives it a sequence number. */
export type PendingEvent = {
  [T in EventType]: { type: T; actor?: string; data: EventData<T> };
}[EventType];

export const Snapshot = z.object({
  seq: z.number().int().min(0),
  mode: Mode,
  incidents: z.array(Incident),
  videoAlerts: z.array(VideoAlert),
  resources: z.array(Resource),
  plans: z.array(Plan),
  operations: z.array(Operation),
  /** Active warnings (live and drill; stored ones are never shown). */
  warnings: z.array(Warning),
  /** Every camera with its links and whether it reports (v4). */
  cameras: z.array(CameraState),
});
export type Snapshot = z.infer<typeof Snapshot>;
/** The state as Redis holds it: a snapshot without the plan library (the API adds that). */
export const StateSnapshot = Snapshot.omit({ plans: true });
export type StateSnapshot = z.infer<typeof StateSnapshot>;

/**
 * `auth` the client passes to the `/live` namespace. `since` is the seq of the last event the
 * console applied; absent means "from now". Anything else is refused (connect_error naming
 * `since`) rather than read as "from now", which would silently skip events.
 */
export const LiveAuth = z.object({
  since: z
    .number({ error: 'since must be a number: the seq of the last event applied' })
    .int({ error: 'since must be a whole number' })
    .min(0, { error: 'since must not be negative' })
    .optional(),
});

/** Why the server ended a live socket's session; the console goes to the login page. */
export const SessionEnded = z.object({ reason: z.string() });
export type SessionEnded = z.infer<typeof SessionEnded>;

/**
 * A scoped console's scope: a `subcentre`'s street or a `department`'s department. Its snapshot
 * and feed hold only its cases (and what a wall needs besides: the mode and the resources).
 */
export const FeedScope = z.object({ streetId: z.string().optional(), departmentId: z.string().optional() });
export type FeedScope = z.infer<typeof FeedScope>;

/** Whether an incident (a case) is in a feed's scope: its street, or dispatched to its department. */
export function inFeedScope(
  scope: FeedScope,
  inc: { streetId: string | null; departmentId?: string | null },
): boolean {
  if (scope.streetId !== undefined) return inc.streetId === scope.streetId;
  if (scope.departmentId !== undefined) return (inc.departmentId ?? null) === scope.departmentId;
  return false;
}

/** The first message on a socket: the protocol the server speaks (the console refuses another). */
export const Hello = z.object({
  protocol: z.number().int(),
  headSeq: z.number().int().min(0),
  serverId: z.string(),
  /**
   * Set on a scoped feed. Its events keep the log's `seq`, so it has gaps (the events of other
   * scopes): the console applies each event past the last one it applied, in order, and resumes
   * from the last seq it saw (the server sends it every in-scope event after that, none twice).
   * An incident that leaves the scope (dispatched elsewhere) comes once more, out of scope: the
   * console drops it.
   */
  scope: FeedScope.optional(),
});
export type Hello = z.infer<typeof Hello>;

/** The requested `since` is older than the log keeps, or the client fell too far behind. */
export const Resync = z.object({
  reason: z.enum(['retention', 'slow_consumer']),
  headSeq: z.number().int().min(0),
});
export type Resync = z.infer<typeof Resync>;

/** Server → client messages on `/live`. */
export interface LiveServerEvents {
  /** One or more events, in `seq` order, never repeated. */
  events: (events: LiveEvent[]) => void;
  resync: (info: Resync) => void;
  hello: (info: Hello) => void;
  /** The session this socket was opened with ended (logout, expiry, user removed or re-roled);
   * the server disconnects right after. Do not reconnect with the same session. */
  session_ended: (info: SessionEnded) => void;
}
export type LiveClientEvents = Record<string, never>;

/** Every error answer of the API: `400` names each bad field in `issues`. */
export const ERROR_BODY = z.object({
  error: z.string(),
  message: z.string().optional(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
