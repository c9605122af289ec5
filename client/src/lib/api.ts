/**
 * Same-origin JSON calls to the server's API; the session cookie goes along. Answers that have a
 * shared schema are checked against it in development and tests (`decode`, see wire.ts): a
 * mismatch is reported and thrown as a ProtocolError instead of reaching the views.
 */
import { z } from 'zod';
import {
  Activated,
  AfterActionRecord,
  AppConfig,
  AuditPage,
  Camera,
  Created,
  FieldReport,
  GridCollection,
  Incident,
  IncidentRecord,
  LoggedOut,
  Mode,
  Operation,
  OperationTask,
  Plan,
  RankedPlan,
  RecentEvents,
  Resource,
  Snapshot,
  Status,
  UserAnswer,
  VideoAlert,
  type IncidentStatus,
  type LiveEvent,
  type LngLat,
  type ResourceStatus,
  type TaskStatus,
} from '../../../shared/index.ts';
import { CameraState, CameraStatus } from '../../../shared/camera.ts';
import { CameraLinks, type CameraLinksPatch } from '../../../shared/camera-links.ts';
import { CaseSearchPage, type CaseSearchParams } from '../../../shared/case-search.ts';
import { ReplayAnswer, type Replay } from '../../../shared/replay.ts';
import { PeopleAnswer } from '../../../shared/people.ts';
import type { CaseAction } from '../../../shared/case.ts';
import { CaseRules, Department, type CaseRulesInput } from '../../../shared/case-rules.ts';
import {
  KpiAnswer,
  KpiReport,
  KpiReportMeta,
  type KpiGroupBy,
  type KpiReportInput,
} from '../../../shared/kpi.ts';
import {
  FootageList,
  FootageRequest,
  type FootageCompleteInput,
  type FootageDecisionInput,
  type FootageRequestInput,
} from '../../../shared/footage.ts';
import { decode, ProtocolError } from './wire.ts';

/* Every answer's shape is a shared schema (shared/http.ts for the wrappers): nothing is declared here. */
export type { AppConfig, RankedPlan, Status };

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message?: string,
    /** A 400's `issues` (`{path, message}` per bad field), as the server named them; else empty. */
    public issues: { path: string; message: string }[] = [],
  ) {
    super(message ?? code);
  }
}

function issuesOf(b: { issues?: unknown }): { path: string; message: string }[] {
  if (!Array.isArray(b.issues)) return [];
  return b.issues
    .filter((i): i is { path: unknown; message: unknown } => typeof i === 'object' && i !== null)
    .map((i) => ({ path: String(i.path ?? ''), message: String(i.message ?? '') }));
}

/** Called on any 401 from a call made while logged in (the app goes to the login page). */
let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(fn: (() => void) | null): void {
  onUnauthorized = fn;
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  opts: { quiet401?: boolean } = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      credentials: 'same-origin',
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
  }
  const text = await res.text();
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON: the status says enough */
    }
  }
  if (!res.ok) {
    const b = (json ?? {}) as { error?: string; message?: string; issues?: unknown };
    if (res.status === 401 && !opts.quiet401) onUnauthorized?.();
    throw new ApiError(
      res.status,
      b.error ?? `http_${res.status}`,
      b.message ?? b.error ?? res.statusText,
      issuesOf(b),
    );
  }
  return json as T;
}

/** `api` with the answer checked against `schema` (development and tests). */
async function apiAs<S extends z.ZodType>(
  schema: S,
  method: string,
  path: string,
  body?: unknown,
  opts?: { quiet401?: boolean },
): Promise<z.output<S>> {
  return decode(schema, await api<unknown>(method, path, body, opts), `${method} ${path.split('?')[0]}`);
}

/** Accounts and integrations by name (operators; a scoped role gets 403). */
export const getPeople = () => apiAs(PeopleAnswer, 'GET', '/people');
export const getMe = () => apiAs(UserAnswer, 'GET', '/auth/me', undefined, { quiet401: true });
export const login = (username: string, password: string) =>
  apiAs(UserAnswer, 'POST', '/auth/login', { username, password }, { quiet401: true });
export const logout = () => apiAs(LoggedOut, 'POST', '/auth/logout', undefined, { quiet401: true });
export async function getConfig(): Promise<AppConfig> {
  const c = await apiAs(AppConfig, 'GET', '/config');
  // The one field the console cannot do without (see LiveStore: a different one stops it): checked
  // in production too, where `decode` trusts the answer.
  if (typeof c?.protocol !== 'number') {
    throw new ProtocolError('GET /config', [{ path: 'protocol', message: 'not a number' }]);
  }
  return c;
}
export const getSnapshot = () => apiAs(Snapshot, 'GET', '/snapshot');
export const getGrids = () => apiAs(GridCollection, 'GET', '/grids');
/*
 * Cameras with links and status. Read leniently: a server from before camera state answers the
 * bare register, which the map draws as not yet heard from.
 */
const CameraAnswer = Camera.extend({
  links: CameraLinks.default({}),
  status: CameraStatus.default('unknown'),
  lastSeenAt: z.string().nullable().default(null),
});
export const getCameras = () => apiAs(z.array(CameraAnswer), 'GET', '/cameras');
/** Replace a camera's device links (admin): 400 names each bad field, 409 `link_conflict` the other camera. */
export const patchCameraLinks = (id: string, body: CameraLinksPatch) =>
  apiAs(CameraState, 'PATCH', `/cameras/${encodeURIComponent(id)}`, body);

/*
 * Events from the record (audit trail, recent events, replay) are checked by their envelope, not
 * their data: the record holds events of every protocol version since the first (an old
 * `incident.updated` carries `history` and no `lastAction`; the live state converts it).
 */
/** The audit trail (admin, commander): the log newest first, filtered, paged by `before`. */
export async function getAudit(q: {
  actor?: string;
  type?: string;
  from?: string;
  to?: string;
  before?: number;
  limit?: number;
}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
  const page = await apiAs(AuditPage, 'GET', `/audit?${params}`);
  return page as { events: LiveEvent[]; nextBefore: number | null };
}
/** The latest events up to `upTo`, newest first: the ticker's history when a console loads. */
export async function getRecentEvents(upTo: number, limit: number): Promise<{ events: LiveEvent[] }> {
  const r = await apiAs(RecentEvents, 'GET', `/events/recent?upTo=${upTo}&limit=${limit}`);
  return r as { events: LiveEvent[] };
}
export const getPlans = () => apiAs(z.array(Plan), 'GET', '/plans');
/** The case's record: as it is now, with its whole history and every merged report id. */
export const getIncident = (id: string) =>
  apiAs(IncidentRecord, 'GET', `/incidents/${encodeURIComponent(id)}`);
export const reviewVideoAlert = (id: string, action: 'confirm' | 'dismiss') =>
  apiAs(VideoAlert, 'POST', `/video-alerts/${encodeURIComponent(id)}/${action}`, {});

const enc = encodeURIComponent;

/** Every plan ranked for an incident: fitting ones first, best first. */
export const getIncidentPlans = (incidentId: string) =>
  apiAs(z.array(RankedPlan), 'GET', `/incidents/${enc(incidentId)}/plans`);
/** With `dispatch`, the same command (one commit) dispatches those resources to the new operation. */
export const activatePlan = (planId: string, incidentId: string, dispatch?: readonly string[]) =>
  apiAs(
    Activated,
    'POST',
    '/operations',
    dispatch?.length ? { planId, incidentId, dispatch } : { planId, incidentId },
  );
export const getOperation = (id: string) => apiAs(Operation, 'GET', `/operations/${enc(id)}`);
export const standDown = (id: string, summary?: string) =>
  apiAs(Operation, 'POST', `/operations/${enc(id)}/stand-down`, summary ? { summary } : {});
export const getAfterAction = (id: string) =>
  apiAs(AfterActionRecord, 'GET', `/operations/${enc(id)}/after-action`);
export const afterActionUrl = (id: string, kind: 'html' | 'json') =>
  `/api/v1/operations/${enc(id)}/after-action${kind === 'html' ? '.html' : ''}`;
export const switchMode = (state: 'peacetime' | 'wartime', reason: string) =>
  apiAs(Mode, 'POST', '/mode', { state, reason });
export const dispatchResource = (resourceId: string, incidentId: string) =>
  apiAs(Created, 'POST', '/dispatches', { resourceId, incidentId });
export const updateResource = (id: string, status: ResourceStatus, location?: LngLat) =>
  apiAs(Resource, 'PATCH', `/resources/${enc(id)}`, location ? { status, location } : { status });
export const updateTask = (operationId: string, taskId: string, status: TaskStatus, note?: string) =>
  apiAs(
    OperationTask,
    'PATCH',
    `/operations/${enc(operationId)}/tasks/${enc(taskId)}`,
    note ? { status, note } : { status },
  );
export const postReport = (incidentId: string, text: string) =>
  apiAs(FieldReport, 'POST', `/incidents/${enc(incidentId)}/reports`, { text });
export const getReports = (incidentId: string) =>
  apiAs(z.array(FieldReport), 'GET', `/incidents/${enc(incidentId)}/reports`);
/** Acknowledge an incident's alarm: audited, and every console stops ringing for it. */
export const acknowledgeIncident = (id: string) =>
  apiAs(Incident, 'POST', `/incidents/${enc(id)}/acknowledge`, {});
export const advanceIncident = (incidentId: string, status: IncidentStatus, note?: string) =>
  apiAs(Incident, 'PATCH', `/incidents/${enc(incidentId)}`, note ? { status, note } : { status });

/**
 * Search over every case ever (closed ones included), newest first; pass the answer's
 * `nextCursor` as `cursor` for the next page. The answer is decoded with the shared schema, so a
 * server speaking another version fails here, loudly, instead of deep in the view.
 */
export async function searchCases(q: CaseSearchParams): Promise<CaseSearchPage> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    params.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  return CaseSearchPage.parse(await api<unknown>('GET', `/cases?${params}`));
}
/**
 * The state at `from` and the events up to `to` (ISO times with offset), from the history store.
 * ReplayAnswer is the schema the server answers with: its state may hold v1 incidents.
 */
export const getReplay = async (from: string, to: string): Promise<Replay> =>
  decode(
    ReplayAnswer,
    await api<unknown>('GET', `/replay?${new URLSearchParams({ from, to })}`),
    'GET /replay',
  ) as Replay;

/** How this server process is doing (`GET /api/v1/status`); the wall reads its `history`. */
export const getStatus = () => apiAs(Status, 'GET', '/status', undefined, { quiet401: true });

/* Peacetime case handling (the contract's "Peacetime case handling"). */

/** The district's responsible departments (分拣转办 targets). */
export const getDepartments = () => apiAs(z.array(Department), 'GET', '/departments');
/** One case with its steps; a scoped user asking outside its scope gets 404. */
export const getCase = (id: string) => apiAs(Incident, 'GET', `/cases/${enc(id)}`);
/** An action on a case (`409` when it does not fit the case's status); the answer is the case. */
export const caseAction = (id: string, action: CaseAction) =>
  apiAs(Incident, 'POST', `/cases/${enc(id)}/actions`, action);
export const getCaseRules = () => apiAs(CaseRules, 'GET', '/case-rules');
/** Saves the whole document; `409` when someone saved a newer version first. */
export const putCaseRules = (rules: CaseRulesInput) => apiAs(CaseRules, 'PUT', '/case-rules', rules);
/** The figures over the cases accepted in `[from, to)`, one row per group. */
export const getKpis = (q: { from: string; to: string; groupBy: KpiGroupBy }) =>
  apiAs(KpiAnswer, 'GET', `/kpis?${new URLSearchParams(q)}`);
export const getKpiReports = () => apiAs(z.array(KpiReportMeta), 'GET', '/reports');
export const getKpiReport = (id: string) => apiAs(KpiReport, 'GET', `/reports/${enc(id)}`);
export const createKpiReport = (input: KpiReportInput) => apiAs(KpiReportMeta, 'POST', '/reports', input);
/** A report's download: JSON, or CSV and the printable HTML page in the language asked for (`?lang=zh|en`). */
export const kpiReportUrl = (id: string, format: 'json' | 'csv' | 'html', lang: 'zh-CN' | 'en') =>
  format === 'json'
    ? `/api/v1/reports/${enc(id)}`
    : `/api/v1/reports/${enc(id)}.${format}?lang=${lang === 'en' ? 'en' : 'zh'}`;

/** Footage retrieval for the police (调取录像): the period's requests with totals, and the three steps. */
export const getFootage = (q: { from: string; to: string }) =>
  apiAs(FootageList, 'GET', `/footage-requests?from=${enc(q.from)}&to=${enc(q.to)}`);
export const requestFootage = (input: FootageRequestInput) =>
  apiAs(FootageRequest, 'POST', '/footage-requests', input);
export const decideFootage = (id: string, decision: 'approve' | 'deny', input: FootageDecisionInput) =>
  apiAs(FootageRequest, 'POST', `/footage-requests/${enc(id)}/${decision}`, input);
export const completeFootage = (id: string, input: FootageCompleteInput) =>
  apiAs(FootageRequest, 'POST', `/footage-requests/${enc(id)}/complete`, input);
