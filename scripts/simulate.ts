/**
 * `npm run simulate`: feeds a running Pingzhan server, through its public API only, with a day at
 * the centre's real rates (DOMAIN.md), compressed by --speed. See `--help`.
 */
import { Camera } from '../shared/camera.ts';
import { GridCollection } from '../shared/grid.ts';
import { IncidentIntake } from '../shared/incident.ts';
import { VideoAlertIntake } from '../shared/video-alert.ts';
import { z } from 'zod';
import { Api } from './sim/api.ts';
import { USAGE, parseSimArgs, type SimArgs } from './sim/args.ts';
import { ResourceMover } from './sim/mover.ts';
import { ProgressPrinter, RunStats, simClock } from './sim/progress.ts';
import { Simulation, placesFromGrid, type Planned } from './sim/reports.ts';
import { DAILY_RATES, STORM_FACTOR } from './sim/rates.ts';
import { runPeacetime } from './sim/peacetime.ts';

const TICK_MS = 100;
/** Resources move every half second; the (possibly large) snapshot is read every three. */
const RESOURCE_TICK_MS = 500;
const SNAPSHOT_EVERY_MS = 3000;
/** How long Ctrl-C or the end of the run waits for requests in flight. */
const DRAIN_MS = 10_000;

async function main(args: SimArgs): Promise<number> {
  if (args.peacetime) return runPeacetime(args);
  const api = new Api({ baseUrl: args.url });
  await api.login(args.user, args.password).catch((err: Error) => {
    throw new Error(`${err.message}\n(is the server running at ${args.url}? start it with \`npm start\`)`);
  });
  const grids = GridCollection.parse((await api.request('GET', '/api/v1/grids')).body);
  const cameras = z.array(Camera).parse((await api.request('GET', '/api/v1/cameras')).body);
  const places = placesFromGrid(grids);

  const startAt = args.startHour * 3600;
  const sim = new Simulation({
    seed: args.seed,
    runId: args.runId,
    places,
    cameras,
    startAt,
    rates: { storm: args.storm },
  });
  const perDay = Object.values(DAILY_RATES).reduce((a, b) => a + b, 0) * (args.storm ? STORM_FACTOR : 1);
  console.log(
    `Simulating ${args.url}: ${places.length} communities, ${cameras.length} cameras, ` +
      `~${Math.round(perDay)} reports per simulated day${args.storm ? ` (storm ×${STORM_FACTOR})` : ''}, ` +
      `speed ×${args.speed}, for ${args.duration.toFixed(0)} s.\n` +
      `  seed ${args.seed}, run id ${args.runId} (repeat with --seed ${args.seed} --run-id ${args.runId}: idempotent)`,
  );

  const stats = new RunStats();
  const progress = new ProgressPrinter(Boolean(process.stdout.isTTY));
  const mover = args.resources ? new ResourceMover(api, stats) : null;
  const inFlight = new Set<Promise<void>>();
  const queue: Planned[] = [];
  const began = performance.now();
  const simNow = () => startAt + ((performance.now() - began) / 1000) * args.speed;
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(130); // a second Ctrl-C does not wait
    stopping = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const post = async (item: Planned) => {
    try {
      // Validate what we send with the very schemas the server uses: a simulator bug shows here.
      const body =
        item.kind === 'incident' ? IncidentIntake.parse(item.body) : VideoAlertIntake.parse(item.body);
      const path = item.kind === 'incident' ? '/api/v1/incidents' : '/api/v1/video-alerts';
      const res = await api.request('POST', path, body, { authorization: `Bearer ${args.key}`, cookie: '' });
      stats.record(item.kind, res.status, res.ms, res.retries);
      if (res.status >= 400 && res.status !== 429 && res.status !== 503 && stats.errors <= 3) {
        console.error(`\n${path} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      }
    } catch (err) {
      if (!api.stopped) stats.error((err as Error).name === 'ZodError' ? 'invalid body' : 'network');
    }
  };

  let lastResources = 0;
  let lastSnapshot = 0;
  let moving: Promise<void> | null = null;
  while (!stopping && (performance.now() - began) / 1000 < args.duration) {
    queue.push(...sim.due(simNow()));
    while (queue.length && inFlight.size < args.concurrency) {
      const p = post(queue.shift()!).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    if (mover && !moving && performance.now() - lastResources >= RESOURCE_TICK_MS) {
      lastResources = performance.now();
      const refresh = lastResources - lastSnapshot >= SNAPSHOT_EVERY_MS;
      if (refresh) lastSnapshot = lastResources;
      moving = mover
        .tick(simNow(), refresh)
        .catch(() => stats.error('resources'))
        .finally(() => (moving = null));
    }
    progress.show(
      stats.line(simClock(simNow())) + (queue.length ? ` · waiting ${queue.length}` : ''),
      stats.elapsedS,
    );
    await new Promise((r) => setTimeout(r, TICK_MS));
  }

  // Let what is in flight finish, then cut the rest off.
  api.stopped = true;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all([...inFlight, moving]),
    new Promise((r) => (timer = setTimeout(r, DRAIN_MS))),
  ]);
  clearTimeout(timer);
  progress.done();
  console.log(stats.line(simClock(simNow())));
  console.log(
    `Done in ${stats.elapsedS.toFixed(1)} s: ${stats.accepted}/${stats.posted} accepted` +
      (queue.length ? `, ${queue.length} not sent` : '') +
      (stats.errors ? `; errors: ${[...stats.errorsByStatus].map(([k, v]) => `${k}×${v}`).join(', ')}` : '') +
      (mover ? `; resources moved ${stats.resourceMoves} times, ${stats.resourceRefusals} refused` : '') +
      '.',
  );
  return stats.errors > 0 && stats.accepted === 0 ? 1 : 0;
}

let args: SimArgs;
try {
  args = parseSimArgs(process.argv.slice(2));
} catch (err) {
  console.error(`${(err as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
main(args).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`simulate: ${(err as Error).message}`);
    process.exit(1);
  },
);
