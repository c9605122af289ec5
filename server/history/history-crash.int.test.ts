import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openHistory, type History } from './db.ts';
import { READ_MODEL_TABLES } from './read-models.ts';
import { PostgresSupervisor } from '../infra/postgres-supervisor.ts';
import { until } from '../testing/command-helpers.ts';
import { login, postJson, startTestServer, waitForHead, waitForPipelineIdle } from '../testing/harness.ts';
import { caseReport, eventsShape } from '../testing/postgres.ts';
import { exited, freePort, processTracker, ROOT, waitHealthy } from '../testing/processes.ts';

const { children, dirs, startServer } = processTracker();

/** `npm run db:rebuild` as an operator runs it. */
function rebuild(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const child = spawn('npm', ['run', '--silent', 'db:rebuild'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return exited(child).then((code) => ({ code, out }));
}

/** Every read-model row, in a stable order. */
async function readModels(h: History) {
  const out: Record<string, unknown[]> = {};
  for (const t of READ_MODEL_TABLES) out[t] = (await h.pool.query(`select * from ${t} order by 1, 2`)).rows;
  return out;
}

describe('the record through crashes and rebuilds', () => {
  it('kill -9 of everything mid-burst, then a restart: events gapless 1..head, every 202 in it; db:rebuild on the stopped DATA_DIR gives the same rows', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'pz-hcrash-'));
    dirs.push(dataDir);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = { PORT: String(port), DATA_DIR: dataDir };
    const first = startServer(env);
    await waitHealthy(url);
    expect(first.output()).toMatch(/postgres: own PostgreSQL/);
    expect(first.output()).toMatch(/postgres:\/\/pingzhan:\*\*\*@/);
    const password = new PostgresSupervisor({ dataDir }).existingUrl()!.match(/pingzhan:([^@]+)@/)![1];
    expect(first.output()).not.toContain(password);

    const accepted: string[] = [];
    let stop = false;
    const posters = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !stop && i < 150; i++) {
        try {
          const r = await postJson(`${url}/api/v1/incidents`, caseReport('crash', w * 150 + i));
          if (r.status === 202) accepted.push(r.body.id);
        } catch {
          return; // the server is gone
        }
      }
    });
    while (accepted.length < 300) await new Promise((r) => setTimeout(r, 10));
    // Everything at once: the server, its worker, its Redis and its PostgreSQL (and their wrappers).
    const own = spawnSync('pgrep', ['-f', dataDir]).stdout.toString().trim().split('\n').filter(Boolean);
    const workers = spawnSync('pgrep', ['-P', String(first.child.pid), '-f', 'worker-main'])
      .stdout.toString()
      .trim()
      .split('\n')
      .filter(Boolean);
    expect(own.length).toBeGreaterThanOrEqual(2); // redis-server, postgres (+ wrappers)
    first.child.kill('SIGKILL');
    for (const pid of [...own, ...workers]) spawnSync('kill', ['-9', pid]);
    stop = true;
    await Promise.all(posters);
    await exited(first.child);

    const second = startServer(env);
    await waitHealthy(url).catch((err: Error) => {
      throw new Error(`${err.message}:\n${second.output()}`);
    });
    const cookie = await login(url, 'duty');
    const status = async () =>
      (await (await fetch(`${url}/api/v1/status`, { headers: { cookie } })).json()) as {
        headSeq: number;
        pipeline: Record<string, number>;
        history: { projectedSeq: number; lag: number; healthy: boolean };
      };
    // The restarted worker finishes the queued jobs and the projector catches up.
    const done = await until(async () => {
      const st = await status();
      // Delayed jobs are timers for later (each case's deadlines), not queued work.
      const busy = (st.pipeline.waiting ?? 0) + (st.pipeline.active ?? 0);
      return busy === 0 && st.history.healthy && st.history.projectedSeq === st.headSeq ? st : null;
    }, 90_000);
    const head = done.headSeq;
    const h = openHistory(new PostgresSupervisor({ dataDir }).existingUrl()!);
    let live: Awaited<ReturnType<typeof readModels>>;
    try {
      expect(await eventsShape(h.pool)).toEqual({ n: head, distinct: head, max: head, min: 1 });
      const { rows } = await h.pool.query<{ id: string }>('select id from cases where id = any($1)', [
        accepted,
      ]);
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set(accepted));
      live = await readModels(h);
    } finally {
      await h.close();
    }
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);

    // The server is stopped: db:rebuild starts the DATA_DIR's PostgreSQL itself, under its lock.
    const r = await rebuild({ DATA_DIR: dataDir, DATABASE_URL: '' });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(new RegExp(`replayed ${head} events`));
    const sup = new PostgresSupervisor({ dataDir });
    await sup.start();
    const h2 = openHistory(sup.url);
    try {
      expect(await readModels(h2)).toEqual(live);
    } finally {
      await h2.close();
      await sup.stop();
    }
  }, 240_000);

  it('db:rebuild beside a running server, even mid-burst, yields the rows live projection does', async () => {
    const s = await startTestServer();
    try {
      const dbUrl = s.config.databaseUrl!;
      const burst = (tag: string, n: number) =>
        Promise.all(
          Array.from({ length: n }, (_, i) => postJson(`${s.url}/api/v1/incidents`, caseReport(tag, i))),
        );
      await burst('rb1', 200);
      await waitForPipelineIdle(s);
      await waitForHead(s, await s.container.store.headSeq());
      const live = await readModels(s.container.history);
      expect(live.cases.length).toBeGreaterThanOrEqual(200);
      const r1 = await rebuild({ DATABASE_URL: dbUrl });
      expect(r1.code, r1.out).toBe(0);
      expect(await readModels(s.container.history)).toEqual(live);

      // During a burst: the projector waits for the rebuild's transaction, then goes on.
      const [r2] = await Promise.all([rebuild({ DATABASE_URL: dbUrl }), burst('rb2', 200)]);
      expect(r2.code, r2.out).toBe(0);
      await waitForPipelineIdle(s);
      const head = await s.container.store.headSeq();
      await waitForHead(s, head);
      expect(await eventsShape(s.container.history.pool)).toEqual({
        n: head,
        distinct: head,
        max: head,
        min: 1,
      });
      const live2 = await readModels(s.container.history);
      const incidents = (await s.container.state.snapshot()).incidents.length;
      expect(live2.cases.length).toBe(incidents);
      // …and what it left is what a rebuild from the events makes.
      const r3 = await rebuild({ DATABASE_URL: dbUrl });
      expect(r3.code, r3.out).toBe(0);
      expect(await readModels(s.container.history)).toEqual(live2);
    } finally {
      await s.close();
    }
  }, 180_000);
});
