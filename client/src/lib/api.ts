/** Same-origin JSON calls to the server's API; the session cookie goes along. */
import type { Camera, GridCollection, Incident, Plan, Snapshot, User } from '../../../shared/index.ts';

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
export const getPlans = () => api<Plan[]>('GET', '/plans');
export const getIncident = (id: string) => api<Incident>('GET', `/incidents/${encodeURIComponent(id)}`);
export const reviewVideoAlert = (id: string, action: 'confirm' | 'dismiss') =>
  api<unknown>('POST', `/video-alerts/${encodeURIComponent(id)}/${action}`, {});
