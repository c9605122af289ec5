import { parseArgs } from 'node:util';

export type SimArgs = {
  url: string;
  key: string;
  user: string;
  password: string;
  speed: number;
  storm: boolean;
  seed: string;
  runId: string;
  /** Wall-clock seconds; default: one simulated day at the chosen speed. */
  duration: number;
  startHour: number;
  resources: boolean;
  concurrency: number;
  /** A peacetime day of the case pipeline instead of the wartime feed (scripts/sim/peacetime.ts). */
  peacetime: boolean;
  /** Peacetime: the department accounts that handle cases (each works its own department's). */
  departmentUsers: string[];
  help: boolean;
};

export const USAGE = `npm run simulate -- [options]

Feeds a running Pingzhan server through its public API with a day at the centre's real rates.

  --url URL          server address (default http://127.0.0.1:8080)
  --key KEY          intake key (default demo-intake-key)
  --user NAME        operator account for reading the grid and moving resources (default commander)
  --password PW      its password (default pingzhan, or DEMO_PASSWORD)
  --speed N          simulated seconds per real second (default 600: a day in 2.4 minutes)
  --storm            multiply every rate by 50 (a storm or a big fire)
  --seed S           seed for a repeatable run (default: random, printed)
  --run-id ID        part of every externalId (default: derived from the start time). The same
                     --seed and --run-id post exactly the same reports again, which the server
                     recognises as duplicates: a re-run is idempotent.
  --duration SEC     stop after SEC real seconds (default: one simulated day)
  --start-hour H     simulated hour the run starts at (default 8)
  --no-resources     do not move dispatched resources towards their incidents
  --concurrency N    requests in flight at most (default 32)

  --peacetime        a peacetime day of the case pipeline instead: hotline and grid cases, the
                     duty officer answering, verifying, dispatching, inspecting and closing, the
                     departments handling (most on time, some late, a few reworks, extensions,
                     deferrals, voids). As admin it saves the case rules with every time limit
                     divided by --speed (calendar minutes) and scales every delay the same way,
                     and saves the rules back when it stops (Ctrl-C too). After --duration it
                     stops taking cases and lets the open ones run their course. Then it prints
                     GET /api/v1/kpis for the run. Try --peacetime --speed 120 --duration 300.
  --departments U,V  peacetime: department accounts to log in as (default: department). Cases
                     routed to a department none of them works go to the first one's for the run.
`;

export function parseSimArgs(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  now = Date.now(),
): SimArgs {
  const { values } = parseArgs({
    args: argv,
    allowNegative: true,
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:8080' },
      key: { type: 'string', default: 'demo-intake-key' },
      user: { type: 'string', default: 'commander' },
      password: { type: 'string', default: env.DEMO_PASSWORD ?? 'pingzhan' },
      speed: { type: 'string', default: '600' },
      storm: { type: 'boolean', default: false },
      seed: { type: 'string' },
      'run-id': { type: 'string' },
      duration: { type: 'string' },
      'start-hour': { type: 'string', default: '8' },
      resources: { type: 'boolean', default: true },
      concurrency: { type: 'string', default: '32' },
      peacetime: { type: 'boolean', default: false },
      departments: { type: 'string', default: 'department' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const speed = positive('speed', values.speed);
  const startHour = Number(values['start-hour']);
  if (!Number.isInteger(startHour) || startHour < 0 || startHour > 23)
    throw new Error('--start-hour must be 0..23');
  return {
    url: values.url.replace(/\/+$/, ''),
    key: values.key,
    user: values.user,
    password: values.password,
    speed,
    storm: values.storm,
    seed: values.seed ?? String(now % 1_000_000),
    runId: values['run-id'] ?? `sim${now.toString(36)}`,
    duration: values.duration === undefined ? 86_400 / speed : positive('duration', values.duration),
    startHour,
    resources: values.resources,
    concurrency: Math.max(1, Math.floor(positive('concurrency', values.concurrency))),
    peacetime: values.peacetime,
    departmentUsers: values.departments
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    help: values.help,
  };
}

function positive(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${v}"`);
  return n;
}
