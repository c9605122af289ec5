/**
 * Open311 under mutated input (seeded, `fast-check`): the spec's POST example with fields dropped,
 * doubled, replaced by hostile text or added, and `GET requests` with mutated queries, in both
 * formats. Every answer is 200 or a 4xx in the spec's error format, never a 5xx; every 200 to a
 * POST becomes exactly one case or merged report, and nothing else enters the pipeline.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../../../shared/incident.ts';
import { INTAKE_KEY, startTestServer, waitForPipelineIdle, type TestServer } from '../../testing/harness.ts';

let srv: TestServer;
beforeAll(async () => {
  // A rate high enough that the fuzz never meets the limiter (429 would be an answer too, but
  // it would hide the cases behind it).
  srv = await startTestServer({ env: { INTAKE_RATE: '10000' } });
});
afterAll(async () => srv?.close());

const SPEC: [string, string][] = [
  ['api_key', INTAKE_KEY],
  ['jurisdiction_id', 'city.gov'],
  ['service_code', 'infrastructure'],
  ['lat', '39.9075'],
  ['long', '116.2871'],
  ['address_string', '1234 5th street'],
  ['email', 'smit333@sfgov.edu'],
  ['device_id', 'tt222111'],
  ['account_id', '123456'],
  ['first_name', 'john'],
  ['last_name', 'smith'],
  ['phone', '111111111'],
  ['description', 'A large sinkhole is destroying the street'],
  ['media_url', 'http://example.com/image.jpg'],
];
const FIELDS = SPEC.map(([k]) => k);
const hostile = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\0', '\ud800', '<x>&amp;', '1e309', '-0', '90.0000001', 'NaN', '𠮷'.repeat(300)),
);
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), field: fc.constantFrom(...FIELDS) }),
  fc.record({ kind: fc.constant('set' as const), field: fc.constantFrom(...FIELDS), value: hostile }),
  fc.record({ kind: fc.constant('twice' as const), field: fc.constantFrom(...FIELDS), value: hostile }),
  fc.record({
    kind: fc.constant('add' as const),
    field: fc.string({ minLength: 1, maxLength: 12 }),
    value: hostile,
  }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;
function mutate(ms: Mutation[]): string {
  const p = new URLSearchParams(SPEC);
  for (const m of ms) {
    if (m.kind === 'drop') p.delete(m.field);
    else if (m.kind === 'set') p.set(m.field, m.value);
    else p.append(m.field, m.value);
  }
  return p.toString();
}

const query = fc.dictionary(
  fc.oneof(
    fc.constantFrom('service_request_id', 'service_code', 'start_date', 'end_date', 'status', 'api_key'),
    fc.string({ maxLength: 8 }),
  ),
  hostile,
  { maxKeys: 4 },
);

function wellFormedError(status: number, type: string, text: string) {
  if (type.startsWith('application/json')) {
    const list = JSON.parse(text) as { code: number; description: string }[];
    expect(list.length).toBeGreaterThan(0);
    for (const e of list) expect(e).toEqual({ code: status, description: expect.any(String) });
  } else expect(text).toMatch(new RegExp(`^<\\?xml[^>]*\\?><errors><error><code>${status}</code>`));
}

describe('Open311 fuzz', () => {
  it('POST requests: 200 or a 4xx in the spec’s format; each 200 one report, nothing else', async () => {
    const since = await srv.container.store.headSeq();
    const accepted: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.array(mutation, { maxLength: 3 }),
        fc.constantFrom('json', 'xml'),
        async (ms, f) => {
          const r = await fetch(`${srv.url}/open311/v2/requests.${f}`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: mutate(ms),
          });
          const text = await r.text();
          expect(r.status).toBeLessThan(500);
          if (r.status === 200) {
            const id =
              f === 'json'
                ? JSON.parse(text)[0].service_request_id
                : /<service_request_id>([^<]+)</.exec(text)![1];
            accepted.push(id);
          } else {
            expect([400, 403, 413]).toContain(r.status);
            wellFormedError(r.status, r.headers.get('content-type') ?? '', text);
          }
        },
      ),
      { seed: 311, numRuns: 120 },
    );
    await waitForPipelineIdle(srv);
    const evs = await srv.container.store.readAfter(since, 100_000);
    const reports = evs.flatMap((e) => {
      const d = e.data as Incident;
      if (e.type === 'incident.created' && d.source === 'open311') return [d.id];
      if (e.type === 'incident.updated' && d.lastAction?.action === 'merged') return [d.lastAction.ref!];
      return [];
    });
    expect(accepted.length).toBeGreaterThan(0);
    expect(reports.sort()).toEqual([...accepted].sort());
  }, 120_000);

  it('GET requests: 200 or a 4xx in the spec’s format, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(query, fc.constantFrom('json', 'xml'), fc.boolean(), async (q, f, withKey) => {
        const p = new URLSearchParams(q);
        if (withKey) p.set('api_key', INTAKE_KEY);
        const r = await fetch(`${srv.url}/open311/v2/requests.${f}?${p}`);
        const text = await r.text();
        expect(r.status).toBeLessThan(500);
        if (r.status !== 200) {
          expect([400, 403]).toContain(r.status);
          wellFormedError(r.status, r.headers.get('content-type') ?? '', text);
        }
      }),
      { seed: 311, numRuns: 120 },
    );
  }, 120_000);
});
