/**
 * Open311 GeoReport v2 through HTTP on a real server (Redis, PostgreSQL, the pipeline): a request
 * is a case that goes through the same durable intake as `POST /api/v1/incidents`, and its status
 * follows the case. Waits on events, never on time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../../../shared/incident.ts';
import { loginAll, until, type Api } from '../../testing/command-helpers.ts';
import { eventOf } from '../../testing/case-testing.ts';
import { INTAKE_KEY, startTestServer, waitForPipelineIdle, type TestServer } from '../../testing/harness.ts';
import { xmllint } from '../../testing/xmllint.ts';

let srv: TestServer;
let as: Awaited<ReturnType<typeof loginAll>>;
beforeAll(async () => {
  srv = await startTestServer();
  as = await loginAll(srv.url);
});
afterAll(async () => srv?.close());

/** The GeoReport v2 spec's POST example (wiki.open311.org/GeoReport_v2), our service code and a Haidian point. */
const SPEC_POST =
  'api_key=xyz&jurisdiction_id=city.gov&service_code=infrastructure&lat=39.9075&long=116.2871&address_string=1234+5th+street' +
  '&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456&first_name=john&last_name=smith&phone=111111111' +
  '&description=A+large+sinkhole+is+destroying+the+street&media_url=http%3A%2F%2Fexample.com%2Fimage.jpg';
const withKey = (body: string, key = INTAKE_KEY) =>
  body.replace('api_key=xyz', `api_key=${encodeURIComponent(key)}`);

const V2 = '/open311/v2';
async function get(path: string) {
  const r = await fetch(srv.url + V2 + path);
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
}
async function postForm(path: string, body: string) {
  const r = await fetch(srv.url + V2 + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
}
const key = `api_key=${INTAKE_KEY}`;
const act = (api: Api, id: string, body: Record<string, unknown>) =>
  api.post(`/api/v1/cases/${id}/actions`, body);
type Req = {
  service_request_id: string;
  status: string;
  status_notes: string;
  description: string;
  media_url: string;
};

describe('services', () => {
  it('in JSON: our categories with their Chinese names; one definition; unknown 404 in the spec’s format', async () => {
    const r = await get('/services.json');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    const list = JSON.parse(r.text) as { service_code: string; service_name: string }[];
    expect(list.find((s) => s.service_code === 'gas_leak')).toMatchObject({ service_name: '燃气泄漏' });
    const one = await get('/services/fire.json');
    expect(JSON.parse(one.text)).toEqual({ service_code: 'fire', attributes: [] });
    const none = await get('/services/sinkholes.json');
    expect(none.status).toBe(404);
    expect(JSON.parse(none.text)).toEqual([{ code: 404, description: expect.stringContaining('sinkholes') }]);
  });

  it('in XML: well-formed, the spec’s shapes, errors too', async () => {
    const r = await get('/services.xml');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/xml/);
    expect(r.text).toContain('<services><service><service_code>');
    expect(xmllint(r.text)).toBe('ok');
    const one = await get('/services/fire.xml');
    expect(one.text).toContain(
      '<service_definition><service_code>fire</service_code><attributes></attributes>',
    );
    expect(xmllint(one.text)).toBe('ok');
    const none = await get('/services/sinkholes.xml');
    expect(none.status).toBe(404);
    expect(none.text).toMatch(/<errors><error><code>404<\/code><description>[^<]*sinkholes/);
    expect(xmllint(none.text)).toBe('ok');
    // A route that does not exist under the prefix: the spec's format as well.
    const lost = await get('/nothing.xml');
    expect(lost.status).toBe(404);
    expect(xmllint(lost.text)).toBe('ok');
  });
});

describe('a request is a case', () => {
  it('POST the spec’s example → an id → the case → open with its step → closed when the case closes', async () => {
    const since = await srv.container.store.headSeq();
    const r = await postForm('/requests.json', withKey(SPEC_POST));
    expect(r.status).toBe(200);
    const [receipt] = JSON.parse(r.text) as { service_request_id: string; account_id: string }[];
    expect(receipt).toMatchObject({
      service_request_id: expect.stringMatching(/^INC-/),
      account_id: '123456',
    });
    const id = receipt!.service_request_id;

    const created = await eventOf(srv, 'incident.created', (d) => d.id === id, 30_000, since);
    expect(created.data as Incident).toMatchObject({
      source: 'open311',
      kind: 'case',
      category: 'infrastructure',
    });

    const open = await get(`/requests/${id}.json?${key}`);
    expect(open.status).toBe(200);
    const [req] = JSON.parse(open.text) as Req[];
    expect(req).toMatchObject({
      service_request_id: id,
      status: 'open',
      status_notes: '核实 verify',
      description: 'A large sinkhole is destroying the street',
      media_url: 'http://example.com/image.jpg',
    });
    // The citizen's phone and e-mail are for the call back, not for readers of the list.
    expect(open.text).not.toContain('111111111');
    expect(open.text).not.toContain('sfgov');

    expect((await act(as.duty, id, { action: 'verify' })).status).toBe(200);
    expect((await act(as.duty, id, { action: 'answer', text: '已转市政部门，现场已设围挡' })).status).toBe(
      200,
    );
    const closed = await get(`/requests/${id}.json?${key}`);
    expect(JSON.parse(closed.text)).toEqual([
      expect.objectContaining({ service_request_id: id, status: 'closed', status_notes: '已结案 closed' }),
    ]);
    const xml = await get(`/requests/${id}.xml?${key}`);
    expect(xml.status).toBe(200);
    expect(xml.text).toContain(
      `<service_requests><request><service_request_id>${id}</service_request_id><status>closed</status>`,
    );
    expect(xmllint(xml.text)).toBe('ok');

    // The list, from the record: once projected, the closed request is among the closed ones.
    const listed = await until(async () => {
      const l = await get(`/requests.json?${key}&status=closed&service_code=infrastructure`);
      const items = JSON.parse(l.text) as Req[];
      return items.some((i) => i.service_request_id === id) ? items : null;
    });
    expect(listed.every((i) => i.status === 'closed')).toBe(true);
    const openOnes = JSON.parse((await get(`/requests.json?${key}&status=open`)).text) as Req[];
    expect(openOnes.some((i) => i.service_request_id === id)).toBe(false);
    const byId = JSON.parse(
      (await get(`/requests.json?${key}&service_request_id=${id},INC-none&status=open`)).text,
    );
    expect(byId).toEqual([expect.objectContaining({ service_request_id: id, status: 'closed' })]);
    const listXml = await get(`/requests.xml?${key}&service_request_id=${id}`);
    expect(xmllint(listXml.text)).toBe('ok');
  });

  it('POST in XML answers the spec’s service_requests/request receipt', async () => {
    const body = withKey(SPEC_POST)
      .replace('lat=39.9075&long=116.2871', 'lat=39.9810&long=116.3100')
      .replace('infrastructure', 'environment');
    const r = await postForm('/requests.xml', body);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/xml/);
    expect(r.text).toMatch(
      /<service_requests><request><service_request_id>INC-[0-9a-f]+<\/service_request_id><service_notice>[^<]+<\/service_notice><account_id>123456<\/account_id><\/request><\/service_requests>/,
    );
    expect(xmllint(r.text)).toBe('ok');
  });

  it('a report merged into an earlier case answers under its own id, as that case', async () => {
    const since = await srv.container.store.headSeq();
    const form = (desc: string) =>
      `api_key=${INTAKE_KEY}&service_code=traffic&lat=39.9600&long=116.3300&description=${encodeURIComponent(desc)}`;
    const first = JSON.parse((await postForm('/requests.json', form('路口信号灯不亮'))).text)[0]
      .service_request_id;
    await eventOf(srv, 'incident.created', (d) => d.id === first, 30_000, since);
    const second = JSON.parse((await postForm('/requests.json', form('信号灯坏了'))).text)[0]
      .service_request_id;
    await eventOf(
      srv,
      'incident.updated',
      (d) => d.id === first && d.mergedIds.includes(second),
      30_000,
      since,
    );
    const r = await get(`/requests/${second}.json?${key}`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual([
      expect.objectContaining({
        service_request_id: second,
        status: 'open',
        status_notes: `核实 verify · 已并入 ${first} merged`,
      }),
    ]);
  });
});

describe('refusals, in the spec’s error format, nothing written', () => {
  async function nothingWritten(run: () => Promise<void>) {
    await waitForPipelineIdle(srv);
    const before = await srv.container.store.headSeq();
    const backlog = await srv.container.queue.backlog();
    await run();
    await waitForPipelineIdle(srv);
    expect(await srv.container.store.headSeq()).toBe(before);
    expect(await srv.container.queue.backlog()).toBe(backlog);
  }

  it('a bad or missing key is 403 (before any field is looked at)', async () => {
    await nothingWritten(async () => {
      const bad = await postForm('/requests.json', withKey(SPEC_POST, 'not-a-key'));
      expect(bad.status).toBe(403);
      expect(JSON.parse(bad.text)).toEqual([{ code: 403, description: 'api_key is not valid' }]);
      const missing = await postForm('/requests.xml', 'service_code=fire');
      expect(missing.status).toBe(403);
      expect(missing.text).toContain('<errors><error><code>403</code><description>api_key is required');
      expect(xmllint(missing.text)).toBe('ok');
    });
    // Reads of requests need a key too.
    expect((await get('/requests.json')).status).toBe(403);
    expect((await get('/requests/INC-x.xml?api_key=nope')).status).toBe(403);
  });

  it('a missing or bad field is 400 naming it', async () => {
    await nothingWritten(async () => {
      const r = await postForm('/requests.json', `api_key=${INTAKE_KEY}&service_code=fire&long=116.3`);
      expect(r.status).toBe(400);
      expect(JSON.parse(r.text)).toEqual([
        { code: 400, description: expect.stringMatching(/^lat: lat is required/) },
      ]);
      const x = await postForm(
        '/requests.xml',
        `api_key=${INTAKE_KEY}&lat=39.9&long=116.3&attribute%5BWHISPAWN%5D=1`,
      );
      expect(x.status).toBe(400);
      expect(x.text).toContain('service_code: service_code is required');
      expect(x.text).toContain('attribute[WHISPAWN]');
      expect(xmllint(x.text)).toBe('ok');
      const twice = await postForm(
        '/requests.json',
        `api_key=${INTAKE_KEY}&service_code=fire&lat=39.9&lat=39.8&long=116.3`,
      );
      expect(twice.status).toBe(400);
      expect(twice.text).toContain('lat');
      const text = await fetch(`${srv.url}${V2}/requests.json`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'x',
      });
      expect(text.status).toBe(415);
      expect(JSON.parse(await text.text())).toEqual([
        { code: 415, description: expect.stringContaining('application/x-www-form-urlencoded') },
      ]);
      const asJson = await fetch(`${srv.url}${V2}/requests.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ api_key: INTAKE_KEY, service_code: 'fire', lat: '39.9', long: '116.3' }),
      });
      expect(asJson.status).toBe(415);
    });
  });

  it('reads: unknown query fields 400 by name, bad dates 400, unknown id 404', async () => {
    const u = await get(`/requests.json?${key}&statuss=open`);
    expect(u.status).toBe(400);
    expect(JSON.parse(u.text)[0].description).toContain('statuss');
    const d = await get(`/requests.json?${key}&start_date=yesterday`);
    expect(d.status).toBe(400);
    expect(d.text).toContain('start_date');
    const w = await get(
      `/requests.json?${key}&start_date=2026-07-02T00:00:00%2B08:00&end_date=2026-07-01T00:00:00%2B08:00`,
    );
    expect(w.status).toBe(400);
    const n = await get(`/requests/INC-none.json?${key}`);
    expect(n.status).toBe(404);
    expect(JSON.parse(n.text)).toEqual([{ code: 404, description: 'service_request_id INC-none not found' }]);
    const nx = await get(`/requests/INC-none.xml?${key}`);
    expect(xmllint(nx.text)).toBe('ok');
  });
});
