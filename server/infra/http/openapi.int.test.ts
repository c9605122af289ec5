/**
 * Typed edges from one source (issue 10 item 1): every route declares its answers, the OpenAPI
 * document lists every route of the contract with its roles, and answers are serialized through
 * their schemas, so a field no schema names never reaches a client.
 *
 * Left out on purpose, here and in the document: `GET /metrics` (Prometheus text for a scraper)
 * and the queue board under `/admin/queues` (bull-board's own UI and API); the console's pages,
 * its static assets and the docs' own routes hide themselves (`schema.hide`).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../../shared/common.ts';
import { Resource } from '../../../shared/resource.ts';
import { build } from '../../app.ts';
import { TAGS, undocumented } from './openapi.ts';
import { login, startTestServer, type TestServer } from '../../testing/harness.ts';

/** The kit's contract; the list below is checked against it wherever it is at hand. */
const CONTRACT =
  process.env.PZ_CONTRACT ?? path.resolve(import.meta.dirname, '../../../../shared/CONTRACT.md');

/**
 * Every route CONTRACT.md names (`contractRoutes` of the file must give exactly these). The
 * Open311 set is written as file names under `/open311/v2/` without methods, so it is not here.
 */
const CONTRACT_ROUTES = [
  'GET /healthz',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'GET /api/v1/auth/me',
  'POST /api/v1/incidents',
  'GET /api/v1/incidents/{id}',
  'POST /api/v1/video-alerts',
  'GET /api/v1/cameras',
  'GET /api/v1/snapshot',
  'GET /api/v1/grids',
  'GET /api/v1/plans',
  'GET /api/v1/audit',
  'POST /api/v1/operations',
  'POST /api/v1/operations/{id}/stand-down',
  'POST /api/v1/mode',
  'POST /api/v1/dispatches',
  'PATCH /api/v1/resources/{id}',
  'PATCH /api/v1/operations/{id}/tasks/{taskId}',
  'POST /api/v1/incidents/{id}/reports',
  'POST /api/v1/video-alerts/{id}/confirm',
  'POST /api/v1/video-alerts/{id}/dismiss',
  'GET /api/v1/cases',
  'GET /api/v1/replay',
  'GET /api/v1/departments',
  'GET /api/v1/case-rules',
  'PUT /api/v1/case-rules',
  'POST /api/v1/cases/{id}/actions',
  'GET /api/v1/cases/{id}',
  'GET /api/v1/kpis',
  'GET /api/v1/reports',
  'POST /api/v1/reports',
  'GET /api/v1/reports/{id}',
  'GET /api/v1/reports/{id}.html',
  'GET /api/v1/reports/{id}.csv',
  'POST /api/v1/warnings',
  'GET /api/v1/warnings',
  'GET /api/v1/warnings/{id}.xml',
  'GET /api/v1/incidents/{id}/cap.xml',
  'POST /api/v1/integrations/hikvision',
  'POST /api/v1/integrations/onvif',
  'POST /api/v1/integrations/frigate',
  'PATCH /api/v1/cameras/{id}',
  'POST /api/v1/footage-requests',
  'POST /api/v1/footage-requests/{id}/approve',
  'POST /api/v1/footage-requests/{id}/deny',
  'POST /api/v1/footage-requests/{id}/complete',
  'GET /api/v1/footage-requests',
  'GET /metrics',
  'GET /docs',
];

/**
 * Contract routes not served yet: none now. A route added to the contract before it is built goes
 * here; once served, the document must list it and it must leave this list (checked below).
 */
const NOT_YET_BUILT: string[] = [];
/**
 * The Open311 routes the contract names as files under `/open311/v2/` (each in `.json` and
 * `.xml`), as the document lists them.
 */
const OPEN311_ROUTES = ['json', 'xml'].flatMap((f) => [
  `GET /open311/v2/services.${f}`,
  `GET /open311/v2/services/{code}.${f}`,
  `POST /open311/v2/requests.${f}`,
  `GET /open311/v2/requests.${f}`,
  `GET /open311/v2/requests/{id}.${f}`,
]);
/** In the contract, deliberately not in the document (see the top of this file). */
const NOT_DOCUMENTED = ['GET /metrics', 'GET /docs'];

/**
 * The routes a contract text names, as `METHOD /path/{param}`: every backticked `METHOD /path`,
 * and what a bullet names relative to it: `` `/dismiss` `` (a sibling), `` `.html` `` (another
 * form), `` `POST …/:id/approve|deny` `` (below it). Query strings and bodies are dropped.
 */
export function contractRoutes(text: string): string[] {
  const out = new Set<string>();
  const add = (method: string, p: string) => out.add(`${method} ${p.replace(/:(\w+)/g, '{$1}')}`);
  let base: { method: string; path: string } | null = null;
  let prev = 0;
  for (const m of text.matchAll(/`([^`]+)`/g)) {
    // A new bullet or paragraph: relative names no longer refer to the route before.
    if (/\n\s*(-|\n)/.test(text.slice(prev, m.index))) base = null;
    prev = m.index + m[0].length;
    const tok = m[1]!.replace(/\s+/g, ' ');
    const abs = /^(GET|POST|PUT|PATCH|DELETE) (\/[^\s?]*)/.exec(tok);
    const rel = /^(GET|POST|PUT|PATCH|DELETE) …(\/[^\s?]*)/.exec(tok);
    if (abs) {
      base = { method: abs[1]!, path: abs[2]! };
      add(base.method, base.path);
    } else if (rel && base) {
      const parts = rel[2]!.split('/');
      for (const alt of parts.at(-1)!.split('|'))
        add(rel[1]!, `${base.path}${parts.slice(0, -1).join('/')}/${alt}`);
    } else if (base && /^\/[\w-]+$/.test(tok)) add(base.method, base.path.replace(/\/[^/]+$/, tok));
    else if (base && /^\.\w+$/.test(tok)) add(base.method, base.path.replace(/\.\w+$/, '') + tok);
  }
  return [...out];
}

type Operation = {
  tags?: string[];
  summary?: string;
  description?: string;
  'x-roles'?: string[];
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
};
type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: object };
};

describe('OpenAPI from the route schemas', () => {
  let s: TestServer;
  let app: FastifyInstance;
  let doc: Doc;
  const routes: RouteOptions[] = [];
  const dist = mkdtempSync(path.join(tmpdir(), 'pz-dist-'));

  beforeAll(async () => {
    // A stand-in built client, so the console's own routes exist and are checked as well.
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>t</title>');
    s = await startTestServer();
    app = await build(s.container, { clientDist: dist, onRoute: (r) => routes.push(r) });
    await app.ready();
    const r = await app.inject({ url: '/docs/json' });
    expect(r.statusCode).toBe(200);
    doc = r.json() as Doc;
  });
  afterAll(async () => {
    await app?.close();
    await s?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('every route declares a response schema (but the pages, the docs, /metrics and the queue board)', () => {
    const checked = routes.filter((r) => r.method !== 'HEAD');
    expect(checked.length).toBeGreaterThan(30);
    const without = checked
      .filter((r) => !(r.schema as { hide?: boolean } | undefined)?.hide && !undocumented(r.url))
      .filter((r) => {
        const response = r.schema?.response as Record<string, unknown> | undefined;
        return !response || !Object.keys(response).some((code) => /^2/.test(code));
      })
      .map((r) => `${String(r.method)} ${r.url}`);
    expect(without).toEqual([]);
    // …and what is left out is what this file says is left out.
    const skipped = checked.filter((r) => undocumented(r.url)).map((r) => r.url);
    expect(skipped).toContain('/metrics');
    expect(skipped.some((u) => u.startsWith('/admin/queues'))).toBe(true);
  });

  it.skipIf(!existsSync(CONTRACT))("the list of contract routes is the contract's", () => {
    expect(contractRoutes(readFileSync(CONTRACT, 'utf8')).sort()).toEqual([...CONTRACT_ROUTES].sort());
  });

  it('the document lists every route of the contract', () => {
    const contract = CONTRACT_ROUTES;
    for (const r of [...NOT_YET_BUILT, ...NOT_DOCUMENTED]) expect(contract).toContain(r);
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)),
    );
    const missing = contract.filter(
      (r) => !documented.has(r) && !NOT_YET_BUILT.includes(r) && !NOT_DOCUMENTED.includes(r),
    );
    expect(missing).toEqual([]);
    // And the list of what is not built yet stays honest: nothing on it is served.
    expect(NOT_YET_BUILT.filter((r) => documented.has(r))).toEqual([]);
    expect(OPEN311_ROUTES.filter((r) => !documented.has(r))).toEqual([]);
    // The spec's POST is a form, and the document says so.
    const post = doc.paths['/open311/v2/requests.json']!.post as unknown as {
      requestBody: { content: Record<string, unknown> };
    };
    expect(Object.keys(post.requestBody.content)).toEqual(['application/x-www-form-urlencoded']);
    const xml = doc.paths['/open311/v2/requests/{id}.xml']!.get!.responses;
    expect(Object.keys(xml['200']!.content!)).toEqual(['text/xml']);
    expect(Object.keys(xml['404']!.content!)).toEqual(['text/xml']);
    for (const r of NOT_DOCUMENTED) expect(documented.has(r)).toBe(false);
    expect([...documented].some((r) => r.includes('/admin/queues') || r.includes('/docs'))).toBe(false);
  });

  it('every operation has a tag of its area, its roles and a response schema', () => {
    const areas: string[] = Object.values(TAGS);
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method.toUpperCase()} ${p}`;
        expect(op.tags?.length, where).toBe(1);
        expect(areas, where).toContain(op.tags![0]);
        expect(Array.isArray(op['x-roles']), where).toBe(true);
        expect(op.description, where).toBeTruthy();
        const ok = Object.entries(op.responses).find(([code]) => /^2/.test(code));
        expect(ok, where).toBeDefined();
        const media = Object.values(ok![1].content ?? {});
        expect(media.length && media.every((m) => m.schema), where).toBeTruthy();
      }
    }
  });

  it("an operation's roles are its guard's", () => {
    const op = (m: string, p: string) => doc.paths[p]![m]!;
    expect(op('post', '/api/v1/operations')['x-roles']).toEqual(['commander']);
    expect(op('get', '/api/v1/audit')['x-roles']).toEqual(['admin', 'commander']);
    expect(op('patch', '/api/v1/resources/{id}')['x-roles']).toEqual(['liaison', 'commander']);
    expect(op('post', '/api/v1/video-alerts/{id}/dismiss')['x-roles']).toEqual(['duty', 'commander']);
    expect(op('get', '/api/v1/snapshot')['x-roles']).toEqual(Role.options);
    expect(op('get', '/api/v1/snapshot').security).toEqual([{ session: [] }]);
    expect(op('get', '/api/v1/auth/me')['x-roles']).toEqual(Role.options);
    // Intake: a key or any operator.
    expect(op('post', '/api/v1/incidents').security).toEqual([{ intakeKey: [] }, { session: [] }]);
    expect(op('post', '/api/v1/incidents').description).toMatch(/intake key/);
    // Public.
    expect(op('get', '/healthz')['x-roles']).toEqual([]);
    expect(op('get', '/api/v1/config').security).toEqual([]);
  });

  it('request and answer shapes come from the shared schemas (by name)', () => {
    const json = JSON.stringify(doc);
    for (const name of [
      'Incident',
      'IncidentRecord',
      'Snapshot',
      'Operation',
      'LiveEvent',
      'Error',
      'Replay',
    ])
      expect(doc.components.schemas).toHaveProperty(name);
    const snapshot = doc.paths['/api/v1/snapshot']!.get!.responses['200']!.content!['application/json']!;
    expect(snapshot.schema).toEqual({ $ref: '#/components/schemas/Snapshot' });
    // The intake body as integrators send it: strict, with its enums.
    expect(json).toContain('"gas_leak"');
    const body = (
      doc.paths['/api/v1/incidents']!.post as unknown as {
        requestBody: { content: { 'application/json': { schema: { required: string[] } } } };
      }
    ).requestBody.content['application/json'].schema;
    expect(body.required).toEqual(
      expect.arrayContaining(['source', 'kind', 'category', 'title', 'location']),
    );
  });

  it("bad input is still 400 naming every field, in the API's own body", async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/incidents',
      headers: { authorization: 'Bearer demo-intake-key' },
      payload: { source: 'hotline', kind: 'nope', title: 'x', location: { lng: 116.3, lat: 91 }, extra: 1 },
    });
    expect(r.statusCode).toBe(400);
    const body = r.json() as { error: string; issues: { path: string; message: string }[] };
    expect(Object.keys(body)).toEqual(['error', 'issues']);
    expect(body.error).toBe('invalid_request');
    expect(body.issues.map((i) => i.path).sort()).toEqual(['category', 'extra', 'kind', 'location.lat']);
    for (const i of body.issues) expect(Object.keys(i)).toEqual(['path', 'message']);
    // params and the query say where.
    const cookie = await login(s.url, 'commander');
    const q = await app.inject({ url: '/api/v1/events/recent?limit=0', headers: { cookie } });
    expect(q.statusCode).toBe(400);
    expect((q.json() as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual([
      'querystring.limit',
    ]);
  });

  it('a field no schema names never reaches a client', async () => {
    // Planted in the stored JSON, as a bug or a future internal field would put it there.
    const redis = s.container.redis;
    const key = s.container.keys.resources;
    const [id, raw] = Object.entries(await redis.hgetall(key))[0]!;
    const planted = { ...JSON.parse(raw), passwordHash: 'scrypt$planted', internalNote: 'not for clients' };
    await redis.hset(key, id, JSON.stringify(planted));
    try {
      const cookie = await login(s.url, 'duty');
      const r = await app.inject({ url: '/api/v1/snapshot', headers: { cookie } });
      expect(r.statusCode).toBe(200);
      expect(r.body).not.toContain('planted');
      expect(r.body).not.toContain('internalNote');
      const res = (r.json() as { resources: Record<string, unknown>[] }).resources.find((x) => x.id === id)!;
      // Only the fields its schema names.
      const named = Object.keys(Resource.shape);
      for (const k of Object.keys(res)) expect(named).toContain(k);
      // The stored value still holds it: the answer was cut by the serializer, not by the store.
      expect(await redis.hget(key, id)).toContain('planted');

      // A stored item without a field its schema requires is our bug: a 500, never half an answer.
      const { status: _status, ...broken } = JSON.parse(raw!) as Record<string, unknown>;
      await redis.hset(key, id, JSON.stringify(broken));
      const bad = await app.inject({ url: '/api/v1/snapshot', headers: { cookie } });
      expect(bad.statusCode).toBe(500);
      expect(bad.json()).toEqual({ error: 'internal_error', message: expect.any(String) });
    } finally {
      await redis.hset(key, id, raw!);
    }
  });
});
