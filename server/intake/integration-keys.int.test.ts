/**
 * Integration keys per system (issue 12 part 6) on a real server: each key's name is the actor of
 * what it sends (the audit trail says which system sent what), an externalId is unique per sender
 * (one system cannot take over another's id), and one system cannot read another's Open311
 * requests. Waits on the API, never on time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAll, until } from '../testing/command-helpers.ts';
import { postJson, startTestServer, waitForPipelineIdle, type TestServer } from '../testing/harness.ts';

const HOTLINE = 'hotline-key-0123456789abcdefghij';
const HIK = 'hikvision-key-0123456789abcdefgh';
const OLD = 'unnamed-key-0123456789abcdefghijk';
const bearer = (k: string) => ({ authorization: `Bearer ${k}` });

let srv: TestServer;
let as: Awaited<ReturnType<typeof loginAll>>;
beforeAll(async () => {
  srv = await startTestServer({ env: { INTAKE_KEYS: `hotline:${HOTLINE},hikvision:${HIK},${OLD}` } });
  as = await loginAll(srv.url);
});
afterAll(async () => srv?.close());

const report = (over: Record<string, unknown> = {}) => ({
  source: '12345',
  externalId: 'call-0001',
  kind: 'case',
  category: 'infrastructure',
  title: '井盖缺失',
  location: { lng: 116.2871, lat: 39.9075 },
  ...over,
});

async function audit(q: string) {
  const r = await as.admin.get(`/api/v1/audit?${q}`);
  expect(r.status).toBe(200);
  return r.body.events as { type: string; actor?: string; data: { id: string } }[];
}

describe('integration keys', () => {
  it('the same (source, externalId) from two systems is two incidents; from one system twice, one', async () => {
    const a1 = await postJson(`${srv.url}/api/v1/incidents`, report(), bearer(HOTLINE));
    const a2 = await postJson(`${srv.url}/api/v1/incidents`, report(), bearer(HOTLINE));
    // Another place and category, so the pipeline does not merge it into the first: its own incident.
    const b = await postJson(
      `${srv.url}/api/v1/incidents`,
      report({ category: 'environment', location: { lng: 116.25, lat: 39.93 } }),
      bearer(HIK),
    );
    const op = await as.duty.post(
      '/api/v1/incidents',
      report({ category: 'traffic', location: { lng: 116.3, lat: 39.88 } }),
    );
    expect([a1.status, a2.status, b.status, op.status]).toEqual([202, 202, 202, 202]);
    expect(a2.body.id).toBe(a1.body.id);
    expect(b.body.id).not.toBe(a1.body.id);
    expect(op.body.id).not.toBe(a1.body.id);
    // An operator's scope is the centre's: another operator entering the same call is the same report.
    const op2 = await as.commander.post(
      '/api/v1/incidents',
      report({ category: 'traffic', location: { lng: 116.3, lat: 39.88 } }),
    );
    expect(op2.body.id).toBe(op.body.id);
    await waitForPipelineIdle(srv);

    const created = await until(async () => {
      const evs = await audit('type=incident.created');
      const ids = new Set([a1.body.id, b.body.id, op.body.id]);
      const mine = evs.filter((e) => ids.has(e.data.id));
      return mine.length === 3 ? mine : null;
    });
    const actorOf = (id: string) => created.find((e) => e.data.id === id)?.actor;
    expect(actorOf(a1.body.id)).toBe('hotline');
    expect(actorOf(b.body.id)).toBe('hikvision');
    expect(actorOf(op.body.id)).toBe('duty');
    // The audit filter by actor finds what each system sent, and only that.
    const byHotline = await audit('actor=hotline');
    expect(byHotline.map((e) => e.data.id)).toEqual([a1.body.id]);
    expect((await audit('actor=hikvision')).map((e) => e.data.id)).toEqual([b.body.id]);
  });

  it('an unnamed key (the format before names) still works, as integration-N', async () => {
    const r = await postJson(
      `${srv.url}/api/v1/incidents`,
      report({ externalId: 'old-1', category: 'flood', location: { lng: 116.27, lat: 39.9 } }),
      bearer(OLD),
    );
    expect(r.status).toBe(202);
    const ev = await until(async () =>
      (await audit('actor=integration-3')).find((e) => e.data.id === r.body.id),
    );
    expect(ev.type).toBe('incident.created');
  });

  it('video alerts: the same externalId from two systems is two alerts', async () => {
    const cam = (await as.duty.get('/api/v1/cameras')).body[0].id as string;
    const alert = { cameraId: cam, type: 'smoke', confidence: 0.9, externalId: 'evt-77' };
    const h = await postJson(`${srv.url}/api/v1/video-alerts`, alert, bearer(HOTLINE));
    const k = await postJson(`${srv.url}/api/v1/video-alerts`, alert, bearer(HIK));
    const k2 = await postJson(`${srv.url}/api/v1/video-alerts`, alert, bearer(HIK));
    expect([h.status, k.status, k2.status]).toEqual([202, 202, 202]);
    expect(k.body.id).not.toBe(h.body.id);
    expect(k2.body.id).toBe(k.body.id);
  });
});

describe('Open311: one system reads only its own requests', () => {
  const form = (key: string, extra = '') =>
    `api_key=${encodeURIComponent(key)}&service_code=public_order&lat=39.92&long=116.24&description=sinkhole${extra}`;
  const post = async (body: string) => {
    const r = await fetch(`${srv.url}/open311/v2/requests.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(r.status).toBe(200);
    return ((await r.json()) as { service_request_id: string }[])[0]!.service_request_id;
  };
  const get = async (path: string, key: string) => {
    const r = await fetch(
      `${srv.url}/open311/v2/${path}${path.includes('?') ? '&' : '?'}api_key=${encodeURIComponent(key)}`,
    );
    return {
      status: r.status,
      body: (await r.json()) as { service_request_id: string; description: string }[],
    };
  };

  // Away from the reports above (another category and place): a case of its own, not merged into one.
  it('a request is a case per key; another key gets 404 for it and does not list it', async () => {
    const mine = await post(form(HOTLINE));
    await waitForPipelineIdle(srv);
    const own = await until(async () => {
      const r = await get(`requests/${mine}.json`, HOTLINE);
      return r.status === 200 ? r : null;
    });
    expect(own.body[0]!.service_request_id).toBe(mine);
    const theirs = await get(`requests/${mine}.json`, HIK);
    expect(theirs.status).toBe(404);
    expect((await get(`requests.json?service_request_id=${mine}`, HIK)).body).toEqual([]);
    const listed = await until(async () => {
      const r = await get('requests.json', HOTLINE);
      return r.body.some((x) => x.service_request_id === mine) ? r : null;
    });
    expect(listed.status).toBe(200);
    const other = await get('requests.json', HIK);
    expect(other.status).toBe(200);
    expect(other.body.map((x) => x.service_request_id)).not.toContain(mine);
    // What it lists is what it filed itself (its JSON report above: every case it created).
    expect(other.body.map((x) => x.description)).toEqual(['井盖缺失']);
  });
});

describe('GET /api/v1/people', () => {
  it('operators get every account by display name and the integrations as systems, never a key', async () => {
    const r = await as.duty.get('/api/v1/people');
    expect(r.status).toBe(200);
    const people = r.body as { username: string; displayName: string; kind: string; role?: string }[];
    expect(people).toContainEqual({
      username: 'commander',
      displayName: '指挥长 李强',
      kind: 'user',
      role: 'commander',
    });
    expect(people.filter((p) => p.kind === 'system')).toEqual([
      { username: 'hotline', displayName: 'hotline', kind: 'system' },
      { username: 'hikvision', displayName: 'hikvision', kind: 'system' },
      { username: 'integration-3', displayName: 'integration-3', kind: 'system' },
    ]);
    for (const p of people)
      expect(Object.keys(p).sort()).toEqual(
        p.kind === 'user' ? ['displayName', 'kind', 'role', 'username'] : ['displayName', 'kind', 'username'],
      );
    const text = JSON.stringify(people);
    for (const k of [HOTLINE, HIK, OLD]) expect(text).not.toContain(k);
    expect(text).not.toMatch(/passwordHash|scrypt/);
  });

  it('a scoped role is 403, no session 401, an intake key 403', async () => {
    expect((await as.subcentre.get('/api/v1/people')).status).toBe(403);
    expect((await fetch(`${srv.url}/api/v1/people`)).status).toBe(401);
    expect((await fetch(`${srv.url}/api/v1/people`, { headers: bearer(HOTLINE) })).status).toBe(403);
  });
});
