import { Role } from '../../shared/common.ts';
import type { Incident, IncidentCategory } from '../../shared/incident.ts';
import type { Snapshot } from '../../shared/protocol.ts';
import { INTAKE_KEY, login, postJson } from './harness.ts';

/** Polls until `fn` gives something truthy: tests wait on the API, never on a fixed sleep. */
export async function until<T>(
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Test bodies are whatever the API answered; assertions check their shape. */
type Body = any;

export type Api = {
  cookie: string;
  get(path: string): Promise<{ status: number; body: Body; headers: Headers }>;
  post(path: string, body?: unknown): Promise<{ status: number; body: Body; headers: Headers }>;
  patch(path: string, body: unknown): Promise<{ status: number; body: Body; headers: Headers }>;
};

export function apiAs(url: string, cookie: string): Api {
  const headers = { cookie };
  return {
    cookie,
    async get(path) {
      const res = await fetch(url + path, { headers });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // HTML and other text stay text
      }
      return { status: res.status, body, headers: res.headers };
    },
    post: (path, body = {}) => postJson(url + path, body, headers),
    patch: (path, body) => postJson(url + path, body, headers, 'PATCH'),
  };
}

/**
 * Every demo account logged in: the four operators, the `subcentre` of 万寿路街道
 * (DEMO_STREET_ID) and the `department` 区城管委 (DEMO_DEPARTMENT_ID).
 */
export async function loginAll(url: string): Promise<Record<Role, Api>> {
  const apis = await Promise.all(
    Role.options.map(async (u) => [u, apiAs(url, await login(url, u))] as const),
  );
  return Object.fromEntries(apis) as Record<Role, Api>;
}

let spread = 0;

/**
 * Reports an incident through intake and waits until the pipeline committed it. Each call lands
 * about a kilometre from the last, so incidents of one test never merge.
 */
export async function reportIncident(
  url: string,
  api: Api,
  opts: { category: IncidentCategory; title?: string; severity?: 1 | 2 | 3 | 4 },
): Promise<Incident> {
  const n = ++spread;
  const location = { lng: 116.27 + (n % 8) * 0.012, lat: 39.93 + Math.floor(n / 8) * 0.011 };
  const res = await postJson(
    `${url}/api/v1/incidents`,
    {
      source: 'test',
      kind: 'emergency',
      category: opts.category,
      title: opts.title ?? `测试 ${opts.category} ${n}`,
      location,
      severity: opts.severity,
    },
    { authorization: `Bearer ${INTAKE_KEY}` },
  );
  if (res.status !== 202) throw new Error(`intake ${res.status} ${JSON.stringify(res.body)}`);
  return until(async () => {
    const r = await api.get(`/api/v1/incidents/${res.body.id}`);
    return r.status === 200 ? (r.body as Incident) : null;
  });
}

export async function snapshot(api: Api): Promise<Snapshot> {
  const r = await api.get('/api/v1/snapshot');
  if (r.status !== 200) throw new Error(`snapshot ${r.status}`);
  return r.body as Snapshot;
}
