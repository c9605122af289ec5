import type { BodySpec } from './bodies.ts';

/**
 * Counterexamples the fuzzers found, as readable literals, per route (the fuzz case's input: for
 * body-only routes the BodySpec, for routes with ids `{params, body}`). They run first in every
 * fuzz run (fast-check `examples`), so a property that fails for a known bug fails every time,
 * and keeps guarding the fix afterwards.
 */
const lone = { $hazards: [{ h: 'loneHigh' as const }] };
const place = { lng: 116.3, lat: 39.95 };

export const KNOWN_COUNTEREXAMPLES: Record<string, unknown[]> = {
  'POST /api/v1/incidents': [
    // Poison text (issue 8 item 1): 202, stored, then every commit on the incident answers 500.
    { json: { source: 'hotline', kind: 'emergency', category: 'fire', title: lone, location: place } },
    // Redis GEO takes |lat| <= 85.05112878 only: 202, then the job fails on every retry and the
    // incident is never stored (the schema allows -90..90).
    {
      json: {
        source: 'hotline',
        kind: 'emergency',
        category: 'fire',
        title: 'x',
        location: { lng: 0, lat: -85.06 },
      },
    },
  ] satisfies BodySpec[],
  'POST /api/v1/video-alerts': [
    // Poison text in externalId: 202, stored, then confirming the alert answers 500.
    { json: { cameraId: 'CAM-0001', type: 'fire', confidence: 0.5, externalId: lone } },
  ] satisfies BodySpec[],
  'POST /api/v1/mode': [
    // Poison text in the mode's reason: the switch is 200, then every commit touching the mode
    // (the next switch, any activation or stand-down) answers 500: the district is stuck.
    { params: null, body: { json: { state: 'wartime', reason: lone } } },
  ],
  'PATCH /api/v1/operations/:id/tasks/:taskId': [
    // Poison text in a task note: 200, then every later commit on the operation answers 500.
    {
      params: { op: { ref: 'boardOp', i: 0 }, task: { ref: 'tasks', i: 0 } },
      body: { json: { status: 'in_progress', note: lone } },
    },
  ],
  'POST /api/v1/incidents/:id/reports': [
    // Poison text in a report: 201, then every commit on the incident answers 500.
    { params: { ref: 'incidents', i: 2 }, body: { json: { text: lone } } },
    // An ordinary emoji does it too: the history note is cut with slice(0, 140), which splits the
    // surrogate pair at 140 (101 ASCII letters, then emoji).
    {
      params: { ref: 'incidents', i: 3 },
      body: { json: { text: { $longAstral: { ascii: 101, astral: '\u{1F525}' } } } },
    },
  ],
  'PATCH /api/v1/incidents/:id': [
    { params: { ref: 'fresh', i: 0 }, body: { json: { status: 'verified', note: lone } } },
  ],
  'POST /api/v1/operations/:id/stand-down': [
    { params: { ref: 'ops', i: 0 }, body: { json: { summary: lone } } },
  ],
  'PATCH /api/v1/resources/:id': [
    { params: { ref: 'resources', i: 5 }, body: { json: { status: 'out_of_service', note: lone } } },
  ],
  'path ids': [
    // Malformed percent-encoding in a path: Fastify's own 400 {error:"Bad Request", code:
    // "FST_ERR_BAD_URL", statusCode}, not the API's {error:"invalid_request", issues}.
    { params: { route: 1, segment: '%' }, body: { json: { status: 'available' } } },
  ],
};

/**
 * The properties committed as `it.fails` until the fix for their bug is merged. Remove a route
 * once its fix is in: its property (and its counterexamples above) must then pass.
 */
export const KNOWN_FAILING = new Set<string>([
  // Empty: every counterexample above is fixed and guards its fix.
]);

export const knownCounterexamples = (route: string): unknown[] => KNOWN_COUNTEREXAMPLES[route] ?? [];
