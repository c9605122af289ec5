/** Same-origin JSON calls to the server's API; the session cookie goes along. */
import type {
  AfterActionRecord,
  Camera,
  FieldReport,
  GridCollection,
  Incident,
  IncidentStatus,
  LiveEvent,
  LngLat,
  Mode,
  Operation,
  OperationTask,
  Plan,
  Resource,
  ResourceStatus,
  Snapshot,
  TaskStatus,
  User,
} from '../../../shared/index.ts';
import { CaseSearchPage, type CaseSearchParams } from '../../../shared/case-search.ts';
import type { Replay } from '../../../shared/replay.ts';

export interface AppConfig {
  mapStyleUrl: string | null;
  demo: boolean;
  protocol: number;
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message?: string,
  ) {
    super(message ?? code);
  }
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
    const b = (json ?? {}) as { error?: string; message?: string };
    if (res.status === 401 && !opts.quiet401) onUnauthorized?.();
    throw new ApiError(res.status, b.error ?? `http_${res.status}`, b.message ?? b.error ?? res.statusText);
  }
  return json as T;
}

export const getMe = () => api<{ user: User }>('GET', '/auth/me', undefined, { quiet401: true });
export const login = (username: string, password: string) =>
  api<{ user: User }>('POST', '/auth/login', { username, password }, { quiet401: true });
export const logout = () => api<unknown>('POST', '/auth/logout', undefined, { quiet401: true });
export const getConfig = () => api<AppConfig>('GET', '/config');
export const getSnapshot = () => api<Snapshot>('GET', '/snapshot');
export const getGrids = () => api<GridCollection>('GET', '/grids');
export const getCameras = () => api<Camera[]>('GET', '/cameras');
/** The audit trail (admin, commander): the log newest first, filtered, paged by `before`. */
export function getAudit(q: {
  actor?: string;
  type?: string;
  from?: string;
  to?: string;
  before?: number;
  limit?: number;
}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
  return api<{ events: LiveEvent[]; nextBefore: number | null }>('GET', `/audit?${params}`);
}
/** The latest events up to `upTo`, newest first: the ticker's history when a console loads. */
export const getRecentEvents = (upTo: number, limit: number) =>
  api<{ events: LiveEvent[] }>('GET', `/events/recent?upTo=${upTo}&limit=${limit}`);
export const getPlans = () => api<Plan[]>('GET', '/plans');
export const getIncident = (id: string) => api<Incident>('GET', `/incidents/${encodeURIComponent(id)}`);
export const reviewVideoAlert = (id: string, action: 'confirm' | 'dismiss') =>
  api<unknown>('POST', `/video-alerts/${encodeURIComponent(id)}/${action}`, {});

const enc = encodeURIComponent;

/** A plan ranked for an incident: fitting ones first, best first. */
export type RankedPlan = Plan & { fits: boolean };
export const getIncidentPlans = (incidentId: string) =>
  api<RankedPlan[]>('GET', `/incidents/${enc(incidentId)}/plans`);
export const activatePlan = (planId: string, incidentId: string) =>
  api<{ id: string }>('POST', '/operations', { planId, incidentId });
export const getOperation = (id: string) => api<Operation>('GET', `/operations/${enc(id)}`);
export const standDown = (id: string, summary?: string) =>
  api<Operation>('POST', `/operations/${enc(id)}/stand-down`, summary ? { summary } : {});
export const getAfterAction = (id: string) =>
  api<AfterActionRecord>('GET', `/operations/${enc(id)}/after-action`);
export const afterActionUrl = (id: string, kind: 'html' | 'json') =>
  `/api/v1/operations/${enc(id)}/after-action${kind === 'html' ? '.html' : ''}`;
export const switchMode = (state: 'peacetime' | 'wartime', reason: string) =>
  api<Mode>('POST', '/mode', { state, reason });
export const dispatchResource = (resourceId: string, incidentId: string) =>
  api<{ id: string }>('POST', '/dispatches', { resourceId, incidentId });
export const updateResource = (id: string, status: ResourceStatus, location?: LngLat) =>
  api<Resource>('PATCH', `/resources/${enc(id)}`, location ? { status, location } : { status });
export const updateTask = (operationId: string, taskId: string, status: TaskStatus, note?: string) =>
  api<OperationTask>(
    'PATCH',
    `/operations/${enc(operationId)}/tasks/${enc(taskId)}`,
    note ? { status, note } : { status },
  );
export const postReport = (incidentId: string, text: string) =>
  api<FieldReport>('POST', `/incidents/${enc(incidentId)}/reports`, { text });
export const getReports = (incidentId: string) =>
  api<FieldReport[]>('GET', `/incidents/${enc(incidentId)}/reports`);
export const advanceIncident = (incidentId: string, status: IncidentStatus, note?: string) =>
  api<Incident>('PATCH', `/incidents/${enc(incidentId)}`, note ? { status, note } : { status });

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
/** The state at `from` and the events up to `to` (ISO times with offset), from the history store. */
export const getReplay = (from: string, to: string) =>
  api<Replay>('GET', `/replay?${new URLSearchParams({ from, to })}`);
