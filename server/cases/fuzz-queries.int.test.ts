import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../shared/protocol.ts';
import { reportIncident, apiAs } from '../testing/command-helpers.ts';
import { login, startTestServer, type TestServer } from '../testing/harness.ts';
import { expectWorks, fuzzCase, type FuzzCtx, type Route } from '../testing/fuzz/surface.ts';
import { KNOWN_FAILING, knownCounterexamples } from '../testing/fuzz/known.ts';
import { queries, renderQuery, type QuerySpec } from '../testing/fuzz/queries.ts';
import { fuzz, FUZZ_TEST_TIMEOUT_MS } from '../testing/fuzz/run.ts';
import { changeBetween, fingerprint, type Answer } from '../testing/fuzz/http.ts';

/**
 * Issue 8 item 9, query strings: whatever `GET /api/v1/audit` and `GET /api/v1/snapshot` are asked,
 * the answer is 2xx or a 4xx naming the problem, never 5xx or a hang, and nothing changes.
 */
const FILE = import.meta.filename;
let srv: TestServer;
let ctx: FuzzCtx;
let h: Record<string, string>;

beforeAll(async () => {
  srv = await startTestServer();
  const cookie = await login(srv.url, 'commander');
  h = { cookie };
  ctx = { s: srv, cookie, baseline: null, dirty: false };
  const api = apiAs(srv.url, cookie);
  // Some log to page through.
  for (const category of ['fire', 'flood', 'traffic'] as const)
    await reportIncident(srv.url, api, { category });
  await api.post('/api/v1/mode', { state: 'wartime', reason: '演练' });
});
afterAll(async () => srv?.close());

const iso = fc
  .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
  .map((d) => d.toISOString());
const int = (min: number, max: number) => fc.integer({ min, max }).map(String);

const auditQuery = queries({
  actor: fc.constantFrom('commander', 'integration-1', 'system:timer', '张三'),
  type: fc.subarray([...EVENT_TYPES], { minLength: 1, maxLength: 3 }).map((ts) => ts.join(',')),
  from: iso,
  to: iso,
  before: int(1, 20),
  limit: int(1, 500),
});
const snapshotQuery = queries({ since: int(0, 20), seq: int(0, 20), limit: int(1, 5) });

const cases: [string, Route<QuerySpec>, fc.Arbitrary<QuerySpec>][] = [
  [
    'GET /api/v1/audit',
    {
      method: 'GET',
      headers: () => h,
      path: (_c, q) => `/api/v1/audit${renderQuery(q)}`,
      async followUp(c, _q, a: Answer) {
        const page = a.body as { events?: unknown; nextBefore?: unknown };
        if (!Array.isArray(page.events) || !(page.nextBefore === null || Number.isInteger(page.nextBefore)))
          throw new Error(`audit page has the wrong shape: ${a.text.slice(0, 300)}`);
        if (page.nextBefore !== null)
          await expectWorks(
            c,
            'the next audit page',
            'GET',
            `/api/v1/audit?before=${page.nextBefore}`,
            undefined,
            h,
          );
      },
    },
    auditQuery,
  ],
  [
    'GET /api/v1/snapshot',
    {
      method: 'GET',
      headers: () => h,
      path: (_c, q) => `/api/v1/snapshot${renderQuery(q)}`,
      async followUp(_c, _q, a: Answer) {
        if (!Number.isInteger((a.body as { seq?: unknown }).seq))
          throw new Error(`snapshot without seq: ${a.text.slice(0, 200)}`);
      },
    },
    snapshotQuery,
  ],
];

describe('fuzz: query strings', () => {
  for (const [name, route, arb] of cases) {
    const title = `${name}: 2xx or a 4xx naming the problem; nothing changes`;
    const known = KNOWN_FAILING.has(name);
    (known ? it.fails : it)(
      title,
      () =>
        fuzz(FILE, title, arb, (q) => fuzzCase(ctx, route, q, null), {
          runs: 100,
          examples: knownCounterexamples(name) as QuerySpec[],
          knownFailing: known,
        }),
      FUZZ_TEST_TIMEOUT_MS,
    );
  }
});

describe('the fuzzers’ change detector', () => {
  it('sees a write with no event and a new event (so "nothing changed" means something)', async () => {
    const before = await fingerprint(srv, h.cookie);
    expect(await changeBetween(srv, before, await fingerprint(srv, h.cookie))).toBeNull();

    const key = srv.container.keys.resources;
    const [id, text] = Object.entries(await srv.container.redis.hgetall(key))[0];
    await srv.container.redis.hset(
      key,
      id,
      JSON.stringify({ ...JSON.parse(text), name: 'changed behind the log' }),
    );
    expect(await changeBetween(srv, before, await fingerprint(srv, h.cookie))).toMatch(/snapshot changed/);
    await srv.container.redis.hset(key, id, text);

    const r = await fetch(`${srv.url}/api/v1/mode`, {
      method: 'POST',
      headers: { ...h, 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'peacetime', reason: '结束' }),
    });
    expect(r.status).toBe(200);
    expect(await changeBetween(srv, before, await fingerprint(srv, h.cookie))).toMatch(
      /log moved .* mode\.changed by commander/,
    );
  });
});
