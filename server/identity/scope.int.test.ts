import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../shared/common.ts';
import type { Incident, IncidentCategory } from '../../shared/incident.ts';
import type { Hello, LiveEvent, Snapshot } from '../../shared/protocol.ts';
import { DEMO_DEPARTMENT_ID, DEMO_STREET_ID } from '../services/auth.service.ts';
import { commitWithRetry } from '../services/commit-retry.ts';
import { apiAs, loginAll, until, type Api } from '../testing/command-helpers.ts';
import { INTAKE_KEY, login, postJson, startTestServer, type TestServer } from '../testing/harness.ts';
import { RecordingClient } from '../testing/live-client.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** 永定路街道: the other street. */
const OTHER_STREET = '110108002';
const OTHER_DEPT = 'dept-swj';
// Points inside each street, each ≥ 500 m from the others (the pipeline merges within 300 m).
const POINTS: Record<string, [number, number][]> = {
  [DEMO_STREET_ID]: [
    [116.276, 39.916],
    [116.284, 39.916],
    [116.292, 39.916],
    [116.296, 39.904],
    [116.3, 39.892],
    [116.304, 39.92],
    [116.28, 39.9],
    [116.288, 39.9],
  ],
  [OTHER_STREET]: [
    [116.256, 39.9],
    [116.264, 39.9],
    [116.256, 39.912],
    [116.268, 39.92],
  ],
};

let s: TestServer;
let as: Record<Role, Api>;
let n = 0;

/** Reports a case in a street through intake and waits for the pipeline to commit it. */
async function caseIn(streetId: string, category: IncidentCategory = 'environment'): Promise<Incident> {
  const [lng, lat] = POINTS[streetId]!.shift()!;
  const res = await postJson(
    `${s.url}/api/v1/incidents`,
    { source: 'scope-test', kind: 'case', category, title: `范围 ${++n}`, location: { lng, lat } },
    { authorization: `Bearer ${INTAKE_KEY}` },
  );
  expect(res.status).toBe(202);
  const inc = await until(async () => {
    const r = await as.duty.get(`/api/v1/incidents/${res.body.id}`);
    return r.status === 200 ? (r.body as Incident) : null;
  });
  expect(inc.streetId).toBe(streetId);
  return inc;
}

/**
 * Sends a case to a department through the one write path, as the lifecycle's `dispatch` does
 * (that command is another module's; here only the field the scopes read matters).
 */
async function sendTo(id: string, departmentId: string): Promise<Incident> {
  const { result } = await commitWithRetry(s.container.store, async (now) => {
    const cur = (await s.container.state.getIncident(id))!;
    const next: Incident = { ...cur, departmentId, updatedAt: now.toISOString(), version: cur.version + 1 };
    return {
      result: next,
      plan: {
        expect: [{ hash: 'incidents', id, version: cur.version }],
        put: [{ hash: 'incidents', id, value: next }],
        events: [{ type: 'incident.updated', actor: 'duty', data: next }],
      },
    };
  });
  return result;
}

/** A change every console sees (the mode), to know a feed has passed everything before it. */
async function marker(): Promise<number> {
  const before = await s.container.store.headSeq();
  const state =
    (await as.commander.get('/api/v1/snapshot')).body.mode.state === 'peacetime' ? 'wartime' : 'peacetime';
  const r = await as.commander.post('/api/v1/mode', { state, reason: 'scope test marker' });
  expect(r.status).toBe(200);
  const head = await s.container.store.headSeq();
  expect(head).toBeGreaterThan(before);
  return head;
}

function socketOf(api: Api, since?: number): { client: RecordingClient; hello: Promise<Hello> } {
  const client = new RecordingClient(s.url, api.cookie, since);
  const hello = new Promise<Hello>((resolve) => client.socket.once('hello', resolve));
  return { client, hello };
}

const ids = (inc: { id: string }[]) => inc.map((i) => i.id).sort();
const caseEvents = (evs: LiveEvent[]) =>
  evs.filter((e) => e.type.startsWith('incident.') || e.type.startsWith('case.'));

let a: Incident; // 万寿路, sent to 城管委
let b: Incident; // 永定路, sent to 城管委
let c: Incident; // 万寿路, not dispatched
let d: Incident; // 永定路, not dispatched

beforeAll(async () => {
  s = await startTestServer({ prefix: '{pz}' });
  as = await loginAll(s.url);
  a = await sendTo((await caseIn(DEMO_STREET_ID)).id, DEMO_DEPARTMENT_ID);
  b = await sendTo((await caseIn(OTHER_STREET)).id, DEMO_DEPARTMENT_ID);
  c = await caseIn(DEMO_STREET_ID);
  d = await caseIn(OTHER_STREET);
}, 120_000);
afterAll(async () => s?.close());

describe('scoped identity', () => {
  it('login and /auth/me show the binding of the demo subcentre and department', async () => {
    const me = async (api: Api) => (await api.get('/api/v1/auth/me')).body.user;
    expect(await me(as.subcentre)).toMatchObject({ role: 'subcentre', streetId: DEMO_STREET_ID });
    expect(await me(as.department)).toMatchObject({ role: 'department', departmentId: DEMO_DEPARTMENT_ID });
    expect(await me(as.duty)).not.toHaveProperty('streetId');
    const res = await postJson(`${s.url}/api/v1/auth/login`, {
      username: 'department',
      password: 'pingzhan',
    });
    expect(res.body.user).toMatchObject({ departmentId: DEMO_DEPARTMENT_ID, displayName: '区城管委 孙磊' });
  });
});

describe('scoped reads', () => {
  it('the snapshot holds only the scope’s cases, and the mode and resources', async () => {
    const all: Snapshot = (await as.duty.get('/api/v1/snapshot')).body;
    const sub: Snapshot = (await as.subcentre.get('/api/v1/snapshot')).body;
    const dep: Snapshot = (await as.department.get('/api/v1/snapshot')).body;
    expect(ids(all.incidents)).toEqual(ids([a, b, c, d]));
    expect(ids(sub.incidents)).toEqual(ids([a, c]));
    expect(ids(dep.incidents)).toEqual(ids([a, b]));
    for (const x of [sub, dep]) {
      expect(x.videoAlerts).toEqual([]);
      expect(x.operations).toEqual([]);
      expect(x.resources.length).toBe(all.resources.length);
      expect(x.mode.state).toBe(all.mode.state);
    }
  });

  it('an incident out of scope is 404, in scope 200', async () => {
    const status = async (api: Api, inc: Incident) => (await api.get(`/api/v1/incidents/${inc.id}`)).status;
    expect([await status(as.subcentre, a), await status(as.subcentre, c)]).toEqual([200, 200]);
    expect([await status(as.subcentre, b), await status(as.subcentre, d)]).toEqual([404, 404]);
    expect([await status(as.department, a), await status(as.department, b)]).toEqual([200, 200]);
    expect([await status(as.department, c), await status(as.department, d)]).toEqual([404, 404]);
    expect((await as.department.get(`/api/v1/incidents/${c.id}/reports`)).status).toBe(404);
    expect((await as.department.get(`/api/v1/incidents/${a.id}/reports`)).status).toBe(200);
  });

  it('the case search is narrowed to the scope, whatever the filters ask', async () => {
    const search = async (api: Api, q = '') => ids((await api.get(`/api/v1/cases?limit=200${q}`)).body.items);
    await until(async () => (await search(as.duty)).length >= 4);
    expect(await search(as.subcentre)).toEqual(ids([a, c]));
    expect(await search(as.department)).toEqual(ids([a, b]));
    expect(await search(as.subcentre, `&streetId=${OTHER_STREET}`)).toEqual([]);
    expect(await search(as.department, `&streetId=${OTHER_STREET}`)).toEqual(ids([b]));
    expect(await search(as.department, `&departmentId=${OTHER_DEPT}`)).toEqual([]);
  });

  it("the centre's tools are 403 for scoped roles", async () => {
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date().toISOString();
    for (const api of [as.subcentre, as.department]) {
      for (const p of [
        `/api/v1/replay?from=${from}&to=${to}`,
        '/api/v1/audit',
        '/api/v1/status',
        '/api/v1/failed-jobs',
        '/api/v1/operations/op-nothing',
        '/api/v1/operations/op-nothing/after-action',
        `/api/v1/incidents/${a.id}/plans`,
      ])
        expect([p, (await api.get(p)).status]).toEqual([p, 403]);
      const intake = await api.post('/api/v1/incidents', {
        source: 'x',
        kind: 'case',
        category: 'other',
        title: 'x',
        location: { lng: 116.3, lat: 39.95 },
      });
      expect(intake.status).toBe(403);
    }
    // What a scoped wall needs besides its cases stays readable.
    for (const p of ['/api/v1/grids', '/api/v1/cameras', '/api/v1/plans', '/api/v1/events/recent'])
      expect([p, (await as.department.get(p)).status]).toEqual([p, 200]);
  });

  it('recent events hold the scope’s cases and the mode only', async () => {
    const evs: LiveEvent[] = (await as.department.get('/api/v1/events/recent?limit=500')).body.events;
    const seen = new Set(caseEvents(evs).map((e) => e.data.id));
    expect([...seen].sort()).toEqual(ids([a, b]));
  });
});

describe('the scoped live feed', () => {
  it('each scope gets its own cases and the one taking a case away; a resume loses nothing', async () => {
    const start = await s.container.store.headSeq();
    const duty = socketOf(as.duty, start);
    const sub = socketOf(as.subcentre, start);
    const dep = socketOf(as.department, start);
    expect((await duty.hello).scope).toBeUndefined();
    expect((await sub.hello).scope).toEqual({ streetId: DEMO_STREET_ID });
    expect((await dep.hello).scope).toEqual({ departmentId: DEMO_DEPARTMENT_ID });

    const e = await caseIn(DEMO_STREET_ID); // subcentre only
    const f = await caseIn(OTHER_STREET); // nobody scoped
    await sendTo(e.id, DEMO_DEPARTMENT_ID); // now the department's too
    await sendTo(a.id, OTHER_DEPT); // a leaves the department: it hears of it once
    await sendTo(a.id, OTHER_DEPT); // and no more
    const m1 = await marker();
    await Promise.all([duty.client.waitForSeq(m1), sub.client.waitForSeq(m1), dep.client.waitForSeq(m1)]);

    // The operator's feed is gapless; the scoped ones are ordered, never repeat, and hold only theirs.
    const dutySeqs = duty.client.events.map((x) => x.seq);
    expect(dutySeqs).toEqual(Array.from({ length: m1 - start }, (_, i) => start + 1 + i));
    for (const x of [sub.client, dep.client]) {
      const seqs = x.events.map((ev) => ev.seq);
      expect(seqs).toEqual([...new Set(seqs)].sort((p, q) => p - q));
    }
    const subIds = new Set(caseEvents(sub.client.events).map((x) => x.data.id));
    expect([...subIds].sort()).toEqual(ids([a, e]));
    const depCase = caseEvents(dep.client.events);
    expect([...new Set(depCase.map((x) => x.data.id))].sort()).toEqual(ids([a, e]));
    const aEvents = depCase.filter((x) => x.data.id === a.id);
    expect(aEvents).toHaveLength(1);
    expect((aEvents[0]!.data as Incident).departmentId).toBe(OTHER_DEPT);
    expect(caseEvents(dep.client.events).some((x) => x.data.id === f.id)).toBe(false);
    // The mode reaches every wall; the scoped feeds match the operator's own events exactly.
    for (const x of [sub.client, dep.client]) {
      expect(x.events.at(-1)!.seq).toBe(m1);
      for (const ev of x.events) expect(ev).toEqual(duty.client.events[ev.seq - start - 1]);
    }

    // Reconnect from the last seq seen: what happened meanwhile in scope arrives, nothing twice.
    const last = dep.client.lastSeq;
    dep.client.close();
    sub.client.close();
    const g = await sendTo((await caseIn(OTHER_STREET)).id, DEMO_DEPARTMENT_ID); // department only
    const h = await caseIn(DEMO_STREET_ID); // subcentre only
    const m2 = await marker();
    const dep2 = socketOf(as.department, last);
    const sub2 = socketOf(as.subcentre, sub.client.lastSeq);
    await Promise.all([dep2.client.waitForSeq(m2), sub2.client.waitForSeq(m2), duty.client.waitForSeq(m2)]);
    expect(dep2.client.resyncs).toEqual([]);
    const expected = (scope: (i: Incident) => boolean, after: number) =>
      duty.client.events.filter(
        (ev) =>
          ev.seq > after &&
          (ev.type === 'mode.changed' ||
            ev.type === 'resource.updated' ||
            (ev.type.startsWith('incident.') && scope(ev.data as Incident))),
      );
    expect(dep2.client.events).toEqual(expected((i) => i.departmentId === DEMO_DEPARTMENT_ID, last));
    expect(caseEvents(dep2.client.events).map((x) => x.data.id)).toContain(g.id);
    expect(sub2.client.events).toEqual(expected((i) => i.streetId === DEMO_STREET_ID, sub.client.lastSeq));
    expect(caseEvents(sub2.client.events).map((x) => x.data.id)).toContain(h.id);
    for (const x of [duty.client, dep2.client, sub2.client]) x.close();
  });
});

/** `npm run user:add` as an operator runs it: its own process, against the server's Redis. */
function addUser(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/add-user.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL: s.container.redisUrl, PZ_PASSWORD: 'a-long-password' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (x) => (out += x));
    child.stderr.on('data', (x) => (out += x));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe('user:add binds a scoped user', () => {
  it('refuses a missing, unknown or misplaced binding, saving nothing', async () => {
    const bad = [
      ['nobinding', 'subcentre', '无 绑定'],
      ['nostreet', 'subcentre', '无 街道', '--street', 'nowhere'],
      ['nodept', 'department', '无 部门', '--department', 'dept-nothing'],
      ['wrongkind', 'department', '错 类型', '--street', DEMO_STREET_ID],
      ['operator', 'duty', '值班 员', '--street', DEMO_STREET_ID],
    ];
    for (const args of bad) {
      const r = await addUser(args);
      expect([args[0], r.code]).toEqual([args[0], 2]);
      expect(await s.container.redis.hget(s.container.keys.users, args[0]!)).toBeNull();
    }
    expect((await addUser(bad[1]!)).out).toContain('unknown street "nowhere"');
  }, 60_000);

  it('binds a street or a department; /auth/me shows it; a new binding ends the sessions', async () => {
    expect(
      (await addUser(['haidian-sub', 'subcentre', '海淀街道分中心 周', '--street', OTHER_STREET])).code,
    ).toBe(0);
    const subCookie = await login(s.url, 'haidian-sub', 'a-long-password');
    const sub = apiAs(s.url, subCookie);
    expect((await sub.get('/api/v1/auth/me')).body.user).toMatchObject({
      role: 'subcentre',
      streetId: OTHER_STREET,
    });
    expect(ids((await sub.get('/api/v1/snapshot')).body.incidents)).toContain(d.id);
    expect((await sub.get(`/api/v1/incidents/${c.id}`)).status).toBe(404);

    expect((await addUser(['water', 'department', '区水务局 吴', '--department', OTHER_DEPT])).code).toBe(0);
    const water = apiAs(s.url, await login(s.url, 'water', 'a-long-password'));
    expect((await water.get('/api/v1/auth/me')).body.user).toMatchObject({ departmentId: OTHER_DEPT });
    expect(ids((await water.get('/api/v1/snapshot')).body.incidents)).toContain(a.id);

    // Moved to another street: the old session (and its sockets) carried the old scope.
    expect(
      (await addUser(['haidian-sub', 'subcentre', '海淀街道分中心 周', '--street', DEMO_STREET_ID])).code,
    ).toBe(0);
    expect((await sub.get('/api/v1/auth/me')).status).toBe(401);
  }, 60_000);
});
