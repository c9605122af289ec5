import { setTimeout as sleep } from 'node:timers/promises';
import type { CaseRules } from '../../shared/case-rules.ts';
import { GridCollection } from '../../shared/grid.ts';
import { Incident, IncidentIntake } from '../../shared/incident.ts';
import { Api } from './api.ts';
import type { SimArgs } from './args.ts';
import { CASE_TEMPLATES, CASE_WEIGHTS, fill } from './catalog.ts';
import { randomPointIn } from './geo.ts';
import {
  fateOf,
  PEACETIME_PER_DAY,
  PEACETIME_SOURCES,
  restoredRules,
  scaledRules,
  type CaseFate,
} from './peacetime-plan.ts';
import { Rng } from './prng.ts';
import { placesFromGrid } from './reports.ts';

/**
 * `npm run simulate -- --peacetime`: a peacetime day through the public API only. Hotline and
 * grid cases arrive (intake key); the duty officer answers consultations and verifies, voids and
 * dispatches the rest; the departments (their own logins) handle them, now and then late, with a
 * rework, an extension or a deferral; the duty officer inspects and closes. `--speed N` makes the
 * day N times shorter: as admin it saves the case rules with every limit ÷ N (calendar minutes)
 * and scales every delay the same way, and it saves the rules back when it stops (Ctrl-C too).
 */
type Counters = Record<
  | 'posted'
  | 'accepted'
  | 'merged'
  | 'answered'
  | 'voided'
  | 'dispatched'
  | 'handled'
  | 'late'
  | 'reworks'
  | 'extended'
  | 'deferred'
  | 'closed'
  | 'refused'
  | 'errors',
  number
>;

export async function runPeacetime(args: SimArgs): Promise<number> {
  const login = async (user: string) => {
    const api = new Api({ baseUrl: args.url });
    await api.login(user, args.password);
    return api;
  };
  const duty = await login('duty').catch((err: Error) => {
    throw new Error(`${err.message}\n(is the server running at ${args.url}? start it with \`npm start\`)`);
  });
  const admin = await login('admin');
  // Each department account works the cases of its own department.
  const departments = new Map<string, Api>();
  for (const user of args.departmentUsers) {
    const api = await login(user);
    const me = (await api.request('GET', '/api/v1/auth/me')).body as { user?: { departmentId?: string } } & {
      departmentId?: string;
    };
    const id = me.user?.departmentId ?? me.departmentId;
    if (!id) throw new Error(`account ${user} is not bound to a department`);
    departments.set(id, api);
  }
  if (departments.size === 0) throw new Error('no department account to handle cases (--departments)');
  const fallback = [...departments.keys()][0];

  const grids = GridCollection.parse((await duty.request('GET', '/api/v1/grids')).body);
  const places = placesFromGrid(grids);
  const original = (await admin.request('GET', '/api/v1/case-rules')).body as CaseRules;
  const put = async (body: unknown) => {
    const res = await admin.request('PUT', '/api/v1/case-rules', body);
    if (res.status !== 200)
      throw new Error(`PUT /api/v1/case-rules → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as CaseRules;
  };
  const scaled = await put(scaledRules(original, args.speed, new Set(departments.keys()), fallback));
  console.log(
    `Peacetime day on ${args.url}: ~${PEACETIME_PER_DAY.hotline + PEACETIME_PER_DAY.grid} cases per simulated day, ` +
      `speed ×${args.speed} (limits ÷ ${args.speed}: rules v${original.version} → v${scaled.version}), ` +
      `for ${args.duration.toFixed(0)} s, then until every case has run its course.\n` +
      `  departments worked: ${[...departments.keys()].join(', ')}` +
      ` (every other department's cases are routed to ${fallback} for the run)\n` +
      `  seed ${args.seed}, run id ${args.runId}`,
  );

  let stopping = false;
  // One restore, however many callers (the run's end and a second signal): they all wait on it.
  let restoring: Promise<void> | null = null;
  const restore = () =>
    (restoring ??= (async () => {
      const now = (await admin.request('GET', '/api/v1/case-rules')).body as CaseRules;
      const back = await put(restoredRules(original, now.version));
      console.log(`\nCase rules restored (v${back.version}, the content of v${original.version}).`);
    })());
  // The first signal lets the cases run out; a second stops at once, but still saves the rules
  // back first (one PUT, bounded): `npm run` relays a SIGTERM that the process group also gets,
  // so two signals often arrive together. Only a third gives up on restoring.
  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals === 1) {
      stopping = true;
      return;
    }
    if (signals === 2) {
      void Promise.race([restore(), sleep(5000).then(() => Promise.reject(new Error('timed out')))])
        .catch((err: Error) => console.error(`\ncould not restore the case rules: ${err.message}`))
        .finally(() => process.exit(130));
      return;
    }
    console.error('\nstopped without restoring the case rules: save them back in the console');
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const n: Counters = {
    posted: 0,
    accepted: 0,
    merged: 0,
    answered: 0,
    voided: 0,
    dispatched: 0,
    handled: 0,
    late: 0,
    reworks: 0,
    extended: 0,
    deferred: 0,
    closed: 0,
    refused: 0,
    errors: 0,
  };
  const rng = new Rng(`${args.seed}:peacetime`);
  const began = Date.now();
  const runFrom = new Date(began - 1000).toISOString();
  const running = new Set<Promise<void>>();

  /**
   * Waits until `frac` of the running step's limit has passed since it started, unless stopping.
   * The limit is the step's own, before any extension (an extended step is judged against its
   * new due time, which the fractions of an extended fate allow for).
   */
  const take = async (c: Incident, frac: number) => {
    const s = c.steps[c.steps.length - 1];
    const due = s ? Date.parse(s.extension?.previousDueAt ?? s.dueAt) : 0;
    const limit = s ? due - Date.parse(s.startedAt) : 60_000;
    const until = (s ? Date.parse(s.startedAt) : Date.now()) + frac * limit;
    while (!stopping && Date.now() < until) await sleep(Math.min(500, until - Date.now()));
    return !stopping;
  };
  const act = async (api: Api, c: Incident, body: Record<string, unknown>): Promise<Incident | null> => {
    const res = await api.request('POST', `/api/v1/cases/${c.id}/actions`, body);
    if (res.status === 200) return res.body as Incident;
    if (res.status === 409 || res.status === 403 || res.status === 404) n.refused++;
    else n.errors++;
    if (n.refused + n.errors <= 3)
      console.error(`\n${body.action} ${c.id} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    return null;
  };

  const lifecycle = async (c0: Incident, fate: CaseFate) => {
    let c: Incident | null = c0;
    if (fate.consultation) {
      if (!(await take(c, fate.verify))) return;
      if (await act(duty, c, { action: 'answer', text: '已电话答复来电人，解释相关政策。' })) n.answered++;
      return;
    }
    if (!(await take(c, fate.verify))) return;
    if (fate.void) {
      if (await act(duty, c, { action: 'void', reason: '重复上报，已并入原案卷' })) n.voided++;
      return;
    }
    if (!(c = await act(duty, c, { action: 'verify', note: '经核实情况属实' }))) return;
    if (!(await take(c, fate.dispatch))) return;
    if (!(c = await act(duty, c, { action: 'dispatch' }))) return;
    n.dispatched++;
    const dept = departments.get(c.departmentId ?? '');
    if (!dept) return void n.refused++;
    if (fate.defer !== 'no') {
      if (!(c = await act(duty, c, { action: 'defer', reason: '需纳入年度改造计划，本季度无法解决' })))
        return;
      n.deferred++;
      if (fate.defer === 'stay') return;
      if (!(await take(c, 0.3))) return;
      if (!(c = await act(duty, c, { action: 'resume', note: '改造资金已落实' }))) return;
    }
    const handle = async (frac: number) => {
      if (fate.extend && c) {
        if (!(await take(c, 0.5))) return null;
        const step = c.steps[c.steps.length - 1];
        const limitMin = (Date.parse(step.dueAt) - Date.parse(step.startedAt)) / 60_000;
        const e = await act(dept, c, {
          action: 'extend',
          amount: Math.max(0.5, Math.round(limitMin * 50) / 100),
          unit: 'minutes',
          reason: '需协调权属单位，申请延期',
        });
        if (e) {
          c = e;
          n.extended++;
        }
      }
      if (!c || !(await take(c, frac))) return null;
      const done = await act(dept, c, { action: 'handle', note: '已现场处置完毕' });
      if (done) {
        n.handled++;
        const s = done.steps.filter((x) => x.step === 'handle').at(-1);
        if (s && s.onTime === false) n.late++;
      }
      return done;
    };
    if (!(c = await handle(fate.handle))) return;
    if (fate.rework) {
      if (!(await take(c, fate.inspect))) return;
      if (!(c = await act(duty, c, { action: 'inspect', passed: false, note: '复核未整改到位，返工' })))
        return;
      n.reworks++;
      fate = { ...fate, extend: false };
      if (!(c = await handle(fate.rehandle))) return;
    }
    if (!(await take(c, fate.inspect))) return;
    if (!(c = await act(duty, c, { action: 'inspect', passed: true, note: '现场核查已整改' }))) return;
    if (!(await take(c, fate.close))) return;
    if (await act(duty, c, { action: 'close' })) n.closed++;
  };

  const intakeOne = async (i: number) => {
    const kind = rng.chance(PEACETIME_PER_DAY.hotline / (PEACETIME_PER_DAY.hotline + PEACETIME_PER_DAY.grid))
      ? 'hotline'
      : 'grid';
    const src = PEACETIME_SOURCES[kind];
    const category = rng.weighted(CASE_WEIGHTS[src.stream]);
    const template = CASE_TEMPLATES.find((t) => t.category === category) ?? CASE_TEMPLATES[0];
    const place = rng.pick(places);
    const p = randomPointIn(place.geometry, rng, place.box);
    const fate = fateOf(rng, kind);
    const body = IncidentIntake.parse({
      source: src.source,
      externalId: `${args.runId}-p${i}`,
      kind: 'case',
      category,
      title: fill(rng.pick(template.titles), place.name),
      description: rng.pick(template.details),
      location: p,
      address: `${place.streetName}${place.name}`,
    });
    n.posted++;
    const res = await duty.request('POST', '/api/v1/incidents', body, {
      authorization: `Bearer ${args.key}`,
      cookie: '',
    });
    if (res.status !== 202) return void n.errors++;
    const id = (res.body as { id: string }).id;
    // The pipeline makes the case; one merged into another is that case's, not ours to drive.
    const end = Date.now() + 30_000;
    while (!stopping && Date.now() < end) {
      const got = await duty.request('GET', `/api/v1/cases/${id}`);
      if (got.status === 200) {
        const c = got.body as Incident;
        if (c.id !== id) return void n.merged++;
        n.accepted++;
        return lifecycle(c, fate);
      }
      await sleep(200);
    }
  };

  const spawn = (p: Promise<void>) => {
    const q = p.catch(() => void n.errors++).finally(() => running.delete(q));
    running.add(q);
  };

  const perRealSecond = ((PEACETIME_PER_DAY.hotline + PEACETIME_PER_DAY.grid) / 86_400) * args.speed;
  let next = Date.now() + rng.exponential(perRealSecond) * 1000;
  let i = 0;
  let lastLine = 0;
  const line = () =>
    `${((Date.now() - began) / 1000).toFixed(0)} s · cases ${n.accepted}/${n.posted} · answered ${n.answered} · voided ${n.voided} · ` +
    `dispatched ${n.dispatched} · handled ${n.handled} (late ${n.late}) · reworks ${n.reworks} · extended ${n.extended} · ` +
    `deferred ${n.deferred} · closed ${n.closed} · running ${running.size}` +
    (n.refused + n.errors ? ` · refused ${n.refused}, errors ${n.errors}` : '');
  try {
    while (!stopping && (Date.now() - began) / 1000 < args.duration) {
      while (Date.now() >= next) {
        spawn(intakeOne(i++));
        next += rng.exponential(perRealSecond) * 1000;
      }
      if (Date.now() - lastLine > 2000) {
        lastLine = Date.now();
        process.stdout.write(process.stdout.isTTY ? `\r${line()}\x1b[K` : `${line()}\n`);
      }
      await sleep(100);
    }
    // Intake stops; every case started runs its course (Ctrl-C cuts it short).
    while (!stopping && running.size > 0) {
      if (Date.now() - lastLine > 2000) {
        lastLine = Date.now();
        process.stdout.write(process.stdout.isTTY ? `\r${line()}\x1b[K` : `${line()}\n`);
      }
      await sleep(200);
    }
    stopping = true;
    await Promise.race([Promise.all(running), sleep(10_000)]);
  } finally {
    await restore().catch((err: Error) =>
      console.error(`\ncould not restore the case rules: ${err.message}`),
    );
  }
  console.log(`\n${line()}`);
  const to = new Date(Date.now() + 1000).toISOString();
  const k = await duty.request(
    'GET',
    `/api/v1/kpis?from=${encodeURIComponent(runFrom)}&to=${encodeURIComponent(to)}&groupBy=street`,
  );
  if (k.status === 200) {
    const t = (
      k.body as { total: { timelinessRate: number | null; closureRate: number | null; accepted: number } }
    ).total;
    const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(2)} %`);
    console.log(
      `GET /api/v1/kpis for the run (${t.accepted} cases): 及时率 ${pct(t.timelinessRate)}, 结案率 ${pct(t.closureRate)}`,
    );
  } else console.log(`GET /api/v1/kpis → ${k.status}`);
  return n.accepted === 0 ? 1 : 0;
}
