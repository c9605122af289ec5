import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { LoginInput } from '../../shared/identity.ts';
import { IncidentIntake } from '../../shared/incident.ts';
import { VideoAlertIntake } from '../../shared/video-alert.ts';
import { INTAKE_KEY, login, startTestServer, type TestServer } from '../testing/harness.ts';
import { bodies, type BodySpec } from '../testing/fuzz/bodies.ts';
import type { Answer } from '../testing/fuzz/http.ts';
import { fuzz, FUZZ_TEST_TIMEOUT_MS } from '../testing/fuzz/run.ts';
import { validBody } from '../testing/fuzz/schema-arbitrary.ts';
import { eventually, expectWorks, fuzzCase, type FuzzCtx, type Route } from '../testing/fuzz/surface.ts';
import { textSpec } from '../testing/fuzz/text.ts';
import { KNOWN_FAILING, knownCounterexamples } from '../testing/fuzz/known.ts';

/**
 * Issue 8 item 9, intake: every body the integrations' routes can receive — valid, mutated,
 * hostile — answers 2xx or a 4xx naming the problem, never 5xx, never a hang; a refused one
 * changes nothing; an accepted one is stored and its incident still takes commands.
 */
const FILE = import.meta.filename;
let srv: TestServer;
let ctx: FuzzCtx;
let commander: Record<string, string>;
const intake = { authorization: `Bearer ${INTAKE_KEY}` };

beforeAll(async () => {
  srv = await startTestServer();
  // Sessions first: the login fuzz below may trip the login rate limit for these accounts.
  commander = { cookie: await login(srv.url, 'commander') };
  ctx = { s: srv, cookie: commander.cookie, baseline: null, dirty: false };
});
afterAll(async () => srv?.close());

/** Mostly inside the district (so reports merge), sometimes anywhere on Earth. */
const location = fc.oneof(
  fc.record({
    lng: fc.double({ min: 116.2, max: 116.4, noNaN: true }),
    lat: fc.double({ min: 39.9, max: 40.05, noNaN: true }),
  }),
  fc.record({
    lng: fc.double({ min: -180, max: 180, noNaN: true }),
    lat: fc.double({ min: -90, max: 90, noNaN: true }),
  }),
);

/** The stored incident behind an intake id, once the pipeline has committed it. */
async function committedIncident(id: string): Promise<{ id: string }> {
  return eventually(`incident ${id} accepted with 202 is stored`, async () => {
    const r = await fetch(`${srv.url}/api/v1/incidents/${encodeURIComponent(id)}`, { headers: commander });
    return r.status === 200 ? ((await r.json()) as { id: string }) : null;
  });
}

const incidentRoute: Route<null> = {
  method: 'POST',
  headers: () => intake,
  path: () => '/api/v1/incidents',
  async followUp(c, _p, a: Answer) {
    const inc = await committedIncident((a.body as { id: string }).id);
    await expectWorks(
      c,
      'a field report on the new incident',
      'POST',
      `/api/v1/incidents/${inc.id}/reports`,
      { text: '现场已到达' },
      commander,
    );
    await expectWorks(
      c,
      'verifying the new incident',
      'PATCH',
      `/api/v1/incidents/${inc.id}`,
      { status: 'verified' },
      commander,
      [409],
    );
  },
};

const videoRoute: Route<null> = {
  method: 'POST',
  headers: () => intake,
  path: () => '/api/v1/video-alerts',
  async followUp(c, _p, a: Answer) {
    const id = (a.body as { id: string }).id;
    const alert = await eventually(`video alert ${id} accepted with 202 is stored`, () =>
      srv.container.state.getVideoAlert(id),
    );
    await expectWorks(
      c,
      'confirming the new alert',
      'POST',
      `/api/v1/video-alerts/${id}/confirm`,
      {},
      commander,
      [409],
    );
    if (alert.incidentId)
      await expectWorks(
        c,
        'a report on the incident the alert joined',
        'POST',
        `/api/v1/incidents/${alert.incidentId}/reports`,
        { text: '视频已核实' },
        commander,
      );
  },
};

const loginRoute: Route<null> = {
  method: 'POST',
  headers: () => ({}),
  path: () => '/api/v1/auth/login',
  async followUp(c, _p, a: Answer) {
    const cookie = (a.headers.get('set-cookie') ?? '').split(';')[0];
    await expectWorks(c, 'the new session reads /auth/me', 'GET', '/api/v1/auth/me', undefined, { cookie });
  },
};

const cases: [string, Route<null>, fc.Arbitrary<BodySpec>, number][] = [
  [
    'POST /api/v1/incidents',
    incidentRoute,
    bodies(validBody(IncidentIntake, { location, source: fc.constantFrom('hotline', 'grid-app', 'fuzz') })),
    100,
  ],
  [
    'POST /api/v1/video-alerts',
    videoRoute,
    bodies(
      validBody(VideoAlertIntake, {
        cameraId: fc.oneof(
          { weight: 5, arbitrary: fc.constantFrom('CAM-0001', 'CAM-0002', 'CAM-0042', 'CAM-0107') },
          { weight: 1, arbitrary: textSpec(128) },
        ),
      }),
    ),
    80,
  ],
  [
    'POST /api/v1/auth/login',
    loginRoute,
    bodies(
      validBody(LoginInput, {
        username: fc.oneof(fc.constantFrom('commander', 'duty', 'nobody'), textSpec(64)),
      }),
    ),
    60,
  ],
];

describe('fuzz: intake and login bodies', () => {
  for (const [name, route, arb, n] of cases) {
    const title = `${name}: 2xx or a 4xx naming the problem; refused changes nothing; accepted stays usable`;
    const known = KNOWN_FAILING.has(name);
    const test = known ? it.fails : it;
    test(
      title,
      () =>
        fuzz(FILE, title, arb, (body) => fuzzCase(ctx, route, null, body), {
          runs: n,
          examples: knownCounterexamples(name) as BodySpec[],
          knownFailing: known,
        }),
      FUZZ_TEST_TIMEOUT_MS,
    );
  }
});
