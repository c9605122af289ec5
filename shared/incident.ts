import { z } from 'zod';
import { text } from './text.ts';
import { CaseLevel, CaseStatus, CaseStepRecord } from './case.ts';
import { IncidentCategory } from './category.ts';
import { Id, IsoTime, LngLat, LngLatInput, Severity } from './common.ts';

export { CATEGORY_NAMES, INCIDENT_CATEGORIES, IncidentCategory } from './category.ts';

export const IncidentKind = z.enum(['emergency', 'case']);

/**
 * Every incident is a case (案卷): accepted → verified → dispatched → handled → inspected → closed,
 * and the side states deferred 挂账 and voided 作废 (`shared/case.ts`).
 */
export const IncidentStatus = CaseStatus;
export type IncidentStatus = CaseStatus;

/** A case moves forward through its lifecycle, one or more steps at a time; closing ends it. */
export const IncidentPatch = z.strictObject({
  status: IncidentStatus,
  note: text.multiline(2000).optional(),
});
export type IncidentPatch = z.infer<typeof IncidentPatch>;

/** What an integration posts to `POST /api/v1/incidents`. */
export const IncidentIntake = z.strictObject({
  source: text.line(64),
  externalId: text.line(128).optional(),
  kind: IncidentKind,
  category: IncidentCategory,
  title: text.line(200),
  description: text.multiline(5000).optional(),
  location: LngLatInput,
  address: text.plainLine(300).optional(),
  severity: Severity.optional(),
  reportedAt: IsoTime.optional(),
});
export type IncidentIntake = z.infer<typeof IncidentIntake>;

/** One thing that happened to an incident; each version of an incident adds one (`lastAction`). */
export const IncidentHistoryEntry = z.object({
  at: IsoTime,
  action: z.string(),
  actor: text.stored().optional(),
  note: text.stored().optional(),
  /** The id of what the action concerns: the merged report, the linked alert, the field report… */
  ref: Id.optional(),
});
export type IncidentHistoryEntry = z.infer<typeof IncidentHistoryEntry>;

/**
 * How many of the latest merged report ids and linked alert ids an incident carries. The entity
 * (in Redis, in every event and snapshot) stays bounded however many reports join it: a fire with
 * 1,000 hotline calls must not make every event grow. The full lists and the history are in the
 * record (`IncidentRecord`, `GET /api/v1/incidents/:id`), read from the history database.
 */
export const RECENT_IDS_KEPT = 20;

/** Appends `id` to a bounded most-recent list (oldest dropped first). */
export function appendRecent(ids: readonly string[], id: string, kept = RECENT_IDS_KEPT): string[] {
  const next = [...ids, id];
  return next.length > kept ? next.slice(next.length - kept) : next;
}

export const Incident = z.object({
  id: Id,
  source: text.stored(),
  externalId: text.stored().optional(),
  kind: IncidentKind,
  category: IncidentCategory,
  title: text.stored(),
  description: text.stored().optional(),
  location: LngLat,
  address: text.stored().optional(),
  /** Readable place from the grid: "海淀区 · 万寿路街道 · 翠微路社区". */
  locationLabel: z.string(),
  streetId: z.string().nullable(),
  communityId: z.string().nullable(),
  outsideDistrict: z.boolean(),
  severity: Severity,
  status: IncidentStatus,
  reportedAt: IsoTime,
  createdAt: IsoTime,
  updatedAt: IsoTime,
  /** Number of reports merged into this incident, itself included. */
  reportCount: z.number().int().min(1),
  /** The latest merged report ids (at most RECENT_IDS_KEPT), oldest first; all of them in the record. */
  mergedIds: z.array(Id),
  /** The latest linked video alert ids (at most RECENT_IDS_KEPT), oldest first. */
  videoAlertIds: z.array(Id),
  operationIds: z.array(Id).default([]),
  // Peacetime case handling (the contract's "Peacetime case handling"). Incidents stored before
  // it have none of these; the defaults are what such a case is: at community level, unrouted.
  /** The responsible department it is dispatched to (分拣转办); null until dispatched. */
  departmentId: Id.nullable().default(null),
  /** community → street → district (三级循环, by `escalate`). */
  level: CaseLevel.default('community'),
  /** The case-rules version it was accepted under: its time limits and routing come from it. */
  rulesVersion: z.number().int().min(0).default(0),
  /** One per step taken, in order (verify, dispatch, handle, inspect, close; a rework repeats handle). */
  steps: z.array(CaseStepRecord).default([]),
  /** `deferred`: the status `resume` returns to. */
  deferredFrom: CaseStatus.optional(),
  /** A consultation (咨询) answered directly by the duty officer (`answer`): the answer given. */
  answer: text.stored().optional(),
  /**
   * An operator acknowledged its alarm (`POST /api/v1/incidents/:id/acknowledge`): every console
   * stops ringing for it. The first acknowledgement stands.
   */
  acknowledgedAt: IsoTime.optional(),
  /** Who acknowledged it (the username, as every event's actor). */
  acknowledgedBy: text.stored().optional(),
  /** What this version did: the history entry it adds (the full history is in the record). */
  lastAction: IncidentHistoryEntry,
  version: z.number().int().min(1),
});
export type Incident = z.infer<typeof Incident>;

/**
 * `GET /api/v1/incidents/:id`: the incident as it is now with its whole history (oldest first) and
 * every merged report id, read from the history database plus whatever the log holds beyond it.
 */
export const IncidentRecord = Incident.extend({
  mergedIds: z.array(Id),
  history: z.array(IncidentHistoryEntry),
});
export type IncidentRecord = z.infer<typeof IncidentRecord>;

/** Default severity by category when the reporter gives none. */
export const DEFAULT_SEVERITY: Record<IncidentCategory, Severity> = {
  fire: 2,
  gas_leak: 2,
  flood: 3,
  hazmat: 2,
  crowd: 3,
  traffic: 4,
  infrastructure: 4,
  environment: 4,
  public_order: 4,
  other: 4,
};

export const FieldReportInput = z.strictObject({ text: text.requiredMultiline(5000) });
export const FieldReport = z.object({
  id: Id,
  incidentId: Id,
  text: text.stored(),
  actor: text.stored(),
  at: IsoTime,
});
export type FieldReport = z.infer<typeof FieldReport>;
