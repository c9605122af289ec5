import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../../shared/incident.ts';
import type { LiveEvent } from '../../shared/protocol.ts';
import { connect } from '../infra/redis.ts';
import { loginAll, reportIncident, until, type Api } from '../testing/command-helpers.ts';
import { postJson, startTestServer, waitForPipelineIdle, type TestServer } from '../testing/harness.ts';
import { caseReport, startTestPostgres, type TestPostgres } from '../testing/postgres.ts';
import { migrate, openHistory, type History } from './db.ts';
import { HistoryRepository, InvalidCursorError } from './history.repository.ts';
import { Projector } from './projector.ts';
import { rebuildReadModels } from './rebuild.ts';
import { publishProjectedSeq, trimProjected } from './trim.ts';

describe('the history store', () => {
  let pgs: TestPostgres;
  let s: TestServer;
  let h: History;
  let p: Projector;
  let repo: HistoryRepository;
  let as: Record<'duty' | 'commander' | 'liaison' | 'admin', Api>;
  let gas: Incident;

  async function caughtUp(): Promise<number> {
    await waitForPipelineIdle(s);
    const head = await s.container.store.headSeq();
    await until(async () => p.projectedSeq() >= head, 30_000);
    return head;
  }

  beforeAll(async () => {
    [pgs, s] = await Promise.all([startTestPostgres(), startTestServer()]);
    h = openHistory(pgs.url);
    await migrate(h.db);
    repo = new HistoryRepository(h.db);
    p = new Projector({
      db: h.db,
      url: pgs.url,
      redis: connect(s.container.redisUrl, 'test-projector'),
      redisHead: s.container.redis,
      streamKey: s.container.keys.events,
      seqKey: s.container.keys.seq,
      lockPollMs: 100,
    });
    p.start();
    as = await loginAll(s.url);

    // Cases with Chinese text in each searchable field, an operation with its mode changes,
    // a closed case, and enough plain cases to page through.
    gas = await reportIncident(s.url, as.duty, { category: 'gas_leak', title: '燃气管道泄漏' });
    const withText = [
      caseReport('text', 0, { title: '路面塌陷', address: '海淀区万寿路15号院' }),
      caseReport('text', 1, { title: '井盖缺失', description: '小区门口下水道冒水，行人绕行' }),
      caseReport('text', 2, { title: '百分比 100% 测试' }),
    ];
    for (const body of withText) expect((await postJson(`${s.url}/api/v1/incidents`, body)).status).toBe(202);
    const op = await as.commander.post('/api/v1/operations', { planId: 'plan-gas-leak', incidentId: gas.id });
    expect(op.status).toBe(201);
    const task = (await s.container.state.getOperation(op.body.id))!.tasks[0];
    const patched = await as.liaison.patch(`/api/v1/operations/${op.body.id}/tasks/${task.id}`, {
      status: 'in_progress',
    });
    expect(patched.status).toBe(200);
    expect((await as.commander.post(`/api/v1/operations/${op.body.id}/stand-down`, {})).status).toBe(200);
    expect((await as.commander.patch(`/api/v1/incidents/${gas.id}`, { status: 'closed' })).status).toBe(200);
    const plain = await Promise.all(
      Array.from({ length: 60 }, (_, i) => postJson(`${s.url}/api/v1/incidents`, caseReport('plain', i))),
    );
    for (const r of plain) expect(r.status).toBe(202);
    await caughtUp();
  });
  afterAll(async () => {
    await p?.stop();
    await h?.close();
    await s?.close();
    await pgs?.stop();
  });

  it('answers the audit trail as GET /api/v1/audit does, and pages back to seq 1', async () => {
    const head = await s.container.store.headSeq();
    for (const q of [
      { limit: 25 },
      { limit: 500, actor: 'commander' },
      { limit: 500, type: 'mode.changed,operation.activated,operation.stood_down' },
      { limit: 10, before: Math.floor(head / 2) },
    ]) {
      const qs = new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)])).toString();
      const api = await as.admin.get(`/api/v1/audit?${qs}`);
      expect(api.status).toBe(200);
      const mine = await repo.auditPage({
        ...q,
        type: q.type?.split(',') as LiveEvent['type'][] | undefined,
      });
      expect(mine.events).toEqual(api.body.events);
    }
    const times = await repo.auditPage({ limit: 500 });
    const mid = times.events[Math.floor(times.events.length / 2)];
    const window = await repo.auditPage({ limit: 500, from: mid.at, to: mid.at });
    expect(window.events.length).toBeGreaterThan(0);
    expect(window.events.every((e) => e.at === mid.at)).toBe(true);

    const seen: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await repo.auditPage({ limit: 37, before });
      seen.push(...page.events.map((e) => e.seq));
      if (page.nextBefore === null) break;
      before = page.nextBefore;
    }
    expect(seen).toEqual(Array.from({ length: head }, (_, i) => head - i));
  });

  it('holds each case as its last event left it, with when it closed', async () => {
    const live = (await as.duty.get(`/api/v1/incidents/${gas.id}`)).body as Incident;
    expect(await repo.getCase(gas.id)).toEqual(live);
    expect(await repo.getCase('INC-nope')).toBeNull();
    const row = await h.db.selectFrom('cases').selectAll().where('id', '=', gas.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('closed');
    expect(row.closed_at).not.toBeNull();
    const op = await h.db
      .selectFrom('operations')
      .selectAll()
      .where('incident_id', '=', gas.id)
      .executeTakeFirstOrThrow();
    expect(op.status).toBe('stood_down');
    const modes = await h.db.selectFrom('mode_changes').select(['state']).orderBy('seq').execute();
    expect(modes.map((m) => m.state)).toEqual(['wartime', 'peacetime']);
  });

  it('finds Chinese substrings in title, address and description (trigram-indexed)', async () => {
    const ids = async (q: string) => (await repo.searchCases({ q, limit: 100 })).items.map((i) => i.title);
    expect(await ids('燃气')).toEqual(['燃气管道泄漏']);
    expect(await ids('管道泄')).toEqual(['燃气管道泄漏']);
    expect(await ids('万寿路')).toEqual(['路面塌陷']);
    expect(await ids('下水道冒水')).toEqual(['井盖缺失']);
    expect(await ids('100%')).toEqual(['百分比 100% 测试']);
    expect(await ids('%')).toEqual(['百分比 100% 测试']); // a literal %, not "anything"
    expect(await ids('不存在的词')).toEqual([]);
    // With three characters or more the GIN trigram indexes serve the match: Chinese characters
    // make trigrams, and the index alone narrows the rows to about the one that matches.
    expect((await h.pool.query(`select show_trgm('管道泄') as t`)).rows[0].t.length).toBeGreaterThan(0);
    const c = await h.pool.connect();
    try {
      await c.query('set enable_seqscan = off');
      await c.query('set enable_indexscan = off');
      const plan = await c.query(
        `explain (analyze, format json) select id from cases where title ilike '%管道泄%'`,
      );
      const nodes: any[] = [];
      const walk = (n: any) => (nodes.push(n), (n.Plans ?? []).forEach(walk));
      walk(plan.rows[0]['QUERY PLAN'][0].Plan);
      const scan = nodes.find((n) => n['Index Name'] === 'cases_title_trgm');
      // (trigrams of multibyte characters are hashed: a rare false candidate, rechecked away)
      expect(scan?.['Actual Rows']).toBeLessThan(5);
      expect((await c.query('select count(*)::int as n from cases')).rows[0].n).toBeGreaterThan(60);
    } finally {
      c.release();
    }
  });

  it('filters and pages every case, newest first, with a keyset cursor', async () => {
    const all: Incident[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await repo.searchCases({ limit: 7, cursor });
      all.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const count = (await h.pool.query('select count(*)::int as n from cases')).rows[0].n;
    expect(all.length).toBe(count);
    expect(new Set(all.map((i) => i.id)).size).toBe(count);
    const keys = all.map((i) => [i.createdAt, i.id].join(' '));
    expect([...keys].sort().reverse()).toEqual(keys);

    expect((await repo.searchCases({ status: 'closed' })).items.map((i) => i.id)).toEqual([gas.id]);
    expect((await repo.searchCases({ category: 'gas_leak' })).items.map((i) => i.id)).toEqual([gas.id]);
    const street = gas.streetId!;
    const onStreet = (await repo.searchCases({ streetId: street, limit: 500 })).items;
    expect(onStreet.length).toBeGreaterThan(0);
    expect(onStreet.every((i) => i.streetId === street)).toBe(true);
    const pivot = all[10];
    const older = (await repo.searchCases({ to: pivot.createdAt, limit: 500 })).items;
    expect(older.every((i) => i.createdAt < pivot.createdAt)).toBe(true);
    const newer = (await repo.searchCases({ from: pivot.createdAt, limit: 500 })).items;
    expect(newer.every((i) => i.createdAt >= pivot.createdAt)).toBe(true);
    expect(older.length + newer.length).toBe(count);

    await expect(repo.searchCases({ cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('rebuilds the read models from events to the very rows live projection wrote', async () => {
    await caughtUp();
    const dump = async () => ({
      cases: (await h.pool.query('select * from cases order by id')).rows,
      operations: (await h.pool.query('select * from operations order by id')).rows,
      modes: (await h.pool.query('select * from mode_changes order by seq')).rows,
    });
    const live = await dump();
    expect(live.cases.length).toBeGreaterThan(60);
    // Damage them first, so that equal rows after can only come from the replay.
    await h.pool.query(`delete from cases where id in (select id from cases limit 5)`);
    await h.pool.query(`update cases set title = 'x', closed_at = null`);
    await h.pool.query(`delete from mode_changes`);
    await h.pool.query(`delete from operations`);
    const res = await rebuildReadModels(h.db, { batch: 9 });
    expect(res.events).toBe(await s.container.store.headSeq());
    expect(await dump()).toEqual(live);
  });

  it('trims the stream only below what is projected, keeping the newest `keep`', async () => {
    const r = s.container.redis;
    const key = `${s.config.prefix}:trim-test`;
    for (let i = 1; i <= 100; i++) await r.xadd(key, `${i}-0`, 'e', '{}');
    const first = async () => Number((await r.xrange(key, '-', '+', 'COUNT', 1))[0][0].split('-')[0]);
    expect(await trimProjected(r, key, 0, 30, { exact: true })).toBe(0);
    expect(await first()).toBe(1);
    // Projected up to 40: entries 1..40 may go, though retention alone would allow 1..70.
    expect(await trimProjected(r, key, 40, 30, { exact: true })).toBe(40);
    expect(await first()).toBe(41);
    // Projected past the retention window: retention decides.
    expect(await trimProjected(r, key, 95, 30, { exact: true })).toBe(30);
    expect(await first()).toBe(71);
    // Approximate trimming may keep more, never fewer.
    await trimProjected(r, key, 100, 10);
    expect(await first()).toBeLessThanOrEqual(91);
    expect(await r.xlen(key)).toBeGreaterThanOrEqual(10);

    const pk = `${s.config.prefix}:projected-test`;
    await publishProjectedSeq(r, pk, 50);
    await publishProjectedSeq(r, pk, 20);
    expect(await r.get(pk)).toBe('50');
  });
});
