import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../testing/command-helpers.ts';
import {
  login,
  postAccepted,
  startTestServer,
  waitForPipelineIdle,
  type TestServer,
} from '../testing/harness.ts';
import { RecordingClient } from '../testing/live-client.ts';
import { caseReport, eventsShape, postgresPids } from '../testing/postgres.ts';

/**
 * PostgreSQL frozen (SIGSTOP of all its processes: it neither answers nor errs, the hardest case)
 * while reports pour in: intake and the feed must not notice, the server must say history is
 * unhealthy and falling behind, and after it thaws the projection must catch up, gapless.
 */
describe('history while PostgreSQL is stopped', () => {
  let s: TestServer;
  let cookie: string;
  let frozen: number[] = [];
  const thaw = () => {
    for (const pid of frozen) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
    frozen = [];
  };

  beforeAll(async () => {
    s = await startTestServer({ env: { HISTORY_STALL_MS: '500', HISTORY_LAG_ALARM: '200' } });
    cookie = await login(s.url, 'duty');
  });
  afterAll(async () => {
    thaw();
    await s?.close();
  });

  const status = async () => {
    const r = await fetch(`${s.url}/api/v1/status`, { headers: { cookie } });
    expect(r.status).toBe(200);
    return (await r.json()).history as {
      healthy: boolean;
      lag: number;
      projectedSeq: number;
      alarm: boolean;
    };
  };
  const health = async () => {
    const r = await fetch(`${s.url}/healthz`);
    return { status: r.status, body: await r.json() };
  };

  it('loses no 202, keeps the feed going, says unhealthy and behind, then catches up', async () => {
    const accepted: string[] = [];
    const post = async (tag: string, from: number, n: number) => {
      for (let i = from; i < from + n; i += 25) {
        const batch = await Promise.all(
          Array.from({ length: 25 }, (_, j) =>
            postAccepted(`${s.url}/api/v1/incidents`, caseReport(tag, i + j)),
          ),
        );
        accepted.push(...batch.map((r) => r.body.id as string));
      }
    };
    await post('pre', 0, 50);
    await waitForPipelineIdle(s);
    const before = await s.container.store.headSeq();
    await until(async () => (await status()).projectedSeq >= before && (await status()).healthy);
    expect((await health()).body.history).toMatchObject({ healthy: true, lag: 0, projectedSeq: before });

    const feed = new RecordingClient(s.url, cookie, before);
    await feed.connected();
    frozen = postgresPids(s.testPostgres!.supervisor.pgdata);
    for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    try {
      await post('frozen', 100, 400);
      await waitForPipelineIdle(s);
      const head = await s.container.store.headSeq();
      expect(head).toBeGreaterThanOrEqual(before + 400);
      // The feed delivered every event, in order, while the database was gone.
      await feed.waitForSeq(head);
      expect(feed.events.map((e) => e.seq)).toEqual(
        Array.from({ length: head - before }, (_, i) => before + 1 + i),
      );

      // Unhealthy, behind by what was posted, alarm raised; /healthz still 200 (Redis answers).
      const st = await until(async () => {
        const x = await status();
        return !x.healthy ? x : null;
      });
      expect(st.lag).toBeGreaterThanOrEqual(200);
      expect(st.alarm).toBe(true);
      const h = await health();
      expect(h.status).toBe(200);
      expect(h.body.history.healthy).toBe(false);
      expect(h.body.history.lag).toBeGreaterThanOrEqual(200);
      // The lag grows with what keeps coming.
      await post('frozen2', 600, 50);
      await until(async () => (await status()).lag >= st.lag + 50);
      // Recent audit pages answer from the stream meanwhile.
      const admin = await login(s.url, 'admin');
      const audit = await fetch(`${s.url}/api/v1/audit?limit=50`, { headers: { cookie: admin } });
      expect(audit.status).toBe(200);
      expect((await audit.json()).events[0].seq).toBe(await s.container.store.headSeq());
      // Older pages are the database's, which does not answer: the stream still has them here
      // (retention is large), so they come from it once the wait for the database is given up.
      const old = await fetch(`${s.url}/api/v1/audit?limit=5&before=6`, { headers: { cookie: admin } });
      expect(old.status).toBe(200);
      expect((await old.json()).events.map((e: { seq: number }) => e.seq)).toEqual([5, 4, 3, 2, 1]);
      // A case only the database has: 503 with Retry-After, not a hung request, not a 500.
      const gone = accepted[0];
      await s.container.redis.hdel(s.container.keys.incidents, gone);
      const inc = await fetch(`${s.url}/api/v1/incidents/${gone}`, { headers: { cookie } });
      expect(inc.status).toBe(503);
      expect(inc.headers.get('retry-after')).toBeTruthy();
      // A case Redis holds still answers, with the history the stream holds (all of it here).
      for (const id of [accepted[1], accepted[accepted.length - 1]]) {
        const r = await fetch(`${s.url}/api/v1/incidents/${id}`, { headers: { cookie } });
        expect(r.status).toBe(200);
        const rec = await r.json();
        expect(rec.id).toBe(id);
        expect(rec.history).toEqual([rec.lastAction]);
      }
    } finally {
      thaw();
    }

    // Back: the projection catches up by itself, gapless, and every 202'd case is in the database.
    await waitForPipelineIdle(s);
    const head = await s.container.store.headSeq();
    await until(async () => {
      const x = await status();
      return x.healthy && x.lag === 0 && x.projectedSeq === head && !x.alarm;
    }, 60_000);
    expect(await eventsShape(s.container.history.pool)).toEqual({
      n: head,
      distinct: head,
      max: head,
      min: 1,
    });
    const { rows } = await s.container.history.pool.query<{ id: string }>(
      'select id from cases where id = any($1)',
      [accepted],
    );
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(accepted));
    expect(accepted.length).toBe(500);
    // …and the case dropped from Redis answers from the database again.
    expect((await fetch(`${s.url}/api/v1/incidents/${accepted[0]}`, { headers: { cookie } })).status).toBe(
      200,
    );
    feed.close();
  });
});
