import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTAKE_KEY, startTestServer, waitForPipelineIdle, type TestServer } from '../../testing/harness.ts';
import { fixture, frigateMessage, hikvisionMultipart, onvifNotify } from './fixtures/variants.ts';

/** Seeded: a failure prints its seed and path, and the same run repeats it. */
const SEED = 20261201;
const RUNS = 150;

/** Published payloads per adapter, with the content type each is posted with. */
const SEEDS: Record<'hikvision' | 'onvif' | 'frigate', { body: Buffer; type: string }[]> = {
  hikvision: [
    { body: fixture('moonfire-vmd-std-cgi.xml'), type: 'application/xml' },
    { body: fixture('moonfire-videoloss-heartbeat.xml'), type: 'text/xml' },
    { body: fixture('hikvision-next-ipc_thermometry_motiondetection.xml'), type: 'application/xml' },
    (() => {
      const m = hikvisionMultipart('hikvision-next-fielddetection_human.xml');
      return { body: Buffer.from(m.body), type: m.contentType };
    })(),
  ],
  onvif: [
    { body: fixture('axis-pir-change.xml'), type: 'application/xml' },
    { body: fixture('axis-vmd4-c1p1-change.xml'), type: 'application/xml' },
    {
      body: Buffer.from(onvifNotify(['axis-pir-change.xml', 'axis-pir-init.xml'])),
      type: 'application/soap+xml',
    },
  ],
  frigate: [
    { body: Buffer.from(JSON.stringify(frigateMessage('events', 'new'))), type: 'application/json' },
    { body: Buffer.from(JSON.stringify(frigateMessage('reviews', 'update'))), type: 'application/json' },
  ],
};

const NASTY = [
  '<',
  '>',
  '&',
  '&amp;',
  ']]>',
  '<!DOCTYPE x [<!ENTITY e "e">]>',
  '\u0000',
  '\uFFFF',
  '"',
  "'",
  '9999-99-99T99:99:99',
  '-',
  'active',
  'inactive',
  'videoloss',
  '{',
  '}',
  '[',
  'null',
  '1e309',
  '\r\n--boundary\r\n',
];

/** A mutation of a payload: bytes flipped, cut, spliced with nasty text, or a text node replaced. */
const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    kind: fc.constant('splice' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    text: fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 40 })),
  }),
  fc.record({
    kind: fc.constant('node' as const),
    which: fc.nat(50),
    text: fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 40 })),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(body: Buffer, ms: Mutation[]): Buffer {
  let b = body;
  for (const m of ms) {
    const at = 'at' in m ? Math.floor(m.at * b.length) : 0;
    if (m.kind === 'flip' && b.length) {
      b = Buffer.from(b);
      b[Math.min(at, b.length - 1)] = m.byte;
    } else if (m.kind === 'cut') b = b.subarray(0, at);
    else if (m.kind === 'splice') b = Buffer.concat([b.subarray(0, at), Buffer.from(m.text), b.subarray(at)]);
    else if (m.kind === 'node') {
      // The n-th text between tags (or JSON string value): the values devices and Frigate fill in.
      const s = b.toString('latin1');
      const re = /(>)([^<>]+)(<)|(":\s*")([^"]*)(")/g;
      const hits = [...s.matchAll(re)];
      if (!hits.length) continue;
      const h = hits[m.which % hits.length];
      const start = h.index + (h[1] ?? h[4]).length;
      const len = (h[2] ?? h[5]).length;
      b = Buffer.concat([b.subarray(0, start), Buffer.from(m.text), b.subarray(start + len)]);
    }
  }
  return b;
}

describe('video adapters under mutated published payloads (seeded fuzz over HTTP)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s?.close());

  for (const vendor of ['hikvision', 'onvif', 'frigate'] as const) {
    it(`${vendor}: always a 202 or a 4xx naming the problem, never a 5xx; a 4xx writes nothing`, async () => {
      const seen = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(
          fc.nat(SEEDS[vendor].length - 1),
          fc.array(mutation, { minLength: 1, maxLength: 3 }),
          async (i, ms) => {
            const { body, type } = SEEDS[vendor][i];
            const sent = mutate(body, ms);
            const head = await s.container.store.headSeq();
            const heard = await s.container.redis.hgetall(s.container.keys.cameraHeard);
            const debounce = await s.container.redis.hgetall(s.container.keys.videoDebounce);
            const r = await fetch(`${s.url}/api/v1/integrations/${vendor}`, {
              method: 'POST',
              headers: { 'content-type': type, authorization: `Bearer ${INTAKE_KEY}` },
              body: new Uint8Array(sent),
            });
            const answer = (await r.json()) as {
              error?: string;
              issues?: { path: string; message: string }[];
            };
            seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
            expect(
              r.status === 202 || (r.status >= 400 && r.status < 500),
              `${r.status} ${JSON.stringify(answer)}`,
            ).toBe(true);
            if (r.status !== 202) {
              expect(answer.error).toBeTruthy();
              if (r.status === 400) expect(answer.issues?.length).toBeGreaterThan(0);
              expect(await s.container.store.headSeq()).toBe(head);
              expect(await s.container.redis.hgetall(s.container.keys.cameraHeard)).toEqual(heard);
              expect(await s.container.redis.hgetall(s.container.keys.videoDebounce)).toEqual(debounce);
            } else {
              // What a 202 queued becomes alerts in the pipeline: let it settle before the next case's head.
              await waitForPipelineIdle(s);
            }
          },
        ),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
      // The fuzz reached both sides: refusals and acceptances.
      expect([...seen.keys()].some((c) => c >= 400)).toBe(true);
    }, 120_000);
  }
});
