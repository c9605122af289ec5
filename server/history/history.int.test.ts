import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldReport, Incident, IncidentRecord } from '../../shared/incident.ts';
import type { LiveEvent } from '../../shared/protocol.ts';
import { keys } from '../infra/keys.ts';
import { connect } from '../infra/redis.ts';
import { StateRepository } from '../log/state.repository.ts';
import { RecordService } from './record.service.ts';
import { loginAll, reportIncident, until, type Api } from '../testing/command-helpers.ts';
import {
  INTAKE_KEY,
  postJson,
  startTestServer,
  waitForPipelineIdle,
  type TestServer,
} from '../testing/harness.ts';
import { fixture } from '../warnings/fixtures/broken-variants.ts';
import { caseReport, startTestPostgres, type TestPostgres } from '../testing/postgres.ts';
import { migrate, openHistory, type History } from './db.ts';
import { HistoryRepository, InvalidCursorError } from './history.repository.ts';
import { Projector } from './projector.ts';
import { READ_MODEL_TABLES } from './read-models.ts';
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
  let fire: Incident;
  /** Reports merged into `fire`, in the order they joined: more than an incident carries. */
  const merged: string[] = [];
  let report: FieldReport;
  let opId: string;
  let alertId: string;

  async function caughtUp(): Promise<number> {
    await waitForPipelineIdle(s);
    const head = await s.container.store.headSeq();
    await until(async () => p.projectedSeq() >= head, 30_000);
    return head;
  }

  const startProjector = () => {
    const proj = new Projector({
      db: h.db,
      url: pgs.url,
      redis: connect(s.container.redisUrl, 'test-projector'),
      redisHead: s.container.redis,
      streamKey: s.container.keys.events,
      seqKey: s.container.keys.seq,
      lockPollMs: 100,
    });
    proj.start();
    return proj;
  };
  /** Every read-model row, in a stable order. */
  const dump = async () => {
    const out: Record<string, unknown[]> = {};
    for (const t of READ_MODEL_TABLES) out[t] = (await h.pool.query(`select * from ${t} order by 1, 2`)).rows;
    return out;
  };

  beforeAll(async () => {
    [pgs, s] = await Promise.all([startTestPostgres(), startTestServer()]);
    h = openHistory(pgs.url);
    await migrate(h.db);
    repo = new HistoryRepository(h.db);
    p = startProjector();
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
    opId = op.body.id;
    const rid = (await s.container.state.getOperation(opId))!.proposals[0].resourceId;
    expect(
      (await as.commander.post('/api/v1/dispatches', { resourceId: rid, incidentId: gas.id })).status,
    ).toBe(201);
    const task = (await s.container.state.getOperation(op.body.id))!.tasks[0];
    const patched = await as.liaison.patch(`/api/v1/operations/${op.body.id}/tasks/${task.id}`, {
      status: 'in_progress',
    });
    expect(patched.status).toBe(200);
    expect((await as.commander.post(`/api/v1/operations/${op.body.id}/stand-down`, {})).status).toBe(200);
    expect((await as.commander.patch(`/api/v1/incidents/${gas.id}`, { status: 'closed' })).status).toBe(200);
    // A fire reported 25 times: one incident, 24 merged ids (the entity keeps the latest 20).
    fire = await reportIncident(s.url, as.duty, { category: 'fire', title: '仓库起火' });
    for (let i = 0; i < 24; i++) {
      const r = await postJson(`${s.url}/api/v1/incidents`, {
        source: 'hotline-12345',
        kind: 'emergency',
        category: 'fire',
        title: `仓库起火 来电 ${i}`,
        location: fire.location,
      });
      expect(r.status).toBe(202);
      merged.push(r.body.id);
      await until(async () => (await s.container.state.resolveIncidentId(r.body.id)) === fire.id);
    }
    const filed = await as.liaison.post(`/api/v1/incidents/${merged[3]}/reports`, {
      text: '现场浓烟，东侧仓库',
    });
    expect(filed.status).toBe(201);
    report = filed.body;
    // A KPI report, so that kpi_reports has a row to rebuild.
    const kpiReport = await as.duty.post('/api/v1/reports', {
      kind: 'custom',
      from: new Date(Date.now() - 3600_000).toISOString(),
      to: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(kpiReport.status).toBe(201);
    // A CAP warning (a published message), so that warnings has a row to rebuild.
    const cap = await fetch(`${s.url}/api/v1/warnings`, {
      method: 'POST',
      headers: { 'content-type': 'application/cap+xml', authorization: `Bearer ${INTAKE_KEY}` },
      body: fixture('spec12-a2.xml'),
    });
    expect(cap.status).toBe(202);
    const cams = (await as.duty.get('/api/v1/cameras')).body as { id: string }[];
    // A footage request taken to completion, so that footage_requests has a row (of three events).
    const footage = await as.duty.post('/api/v1/footage-requests', {
      cameraIds: [cams[0].id],
      from: new Date(Date.now() - 7200_000).toISOString(),
      to: new Date(Date.now() - 3600_000).toISOString(),
      requester: '海淀分局 王警官',
      caseRef: 'A-1',
      reason: '调查',
    });
    expect(footage.status).toBe(201);
    expect((await as.commander.post(`/api/v1/footage-requests/${footage.body.id}/approve`, {})).status).toBe(
      200,
    );
    expect(
      (await as.duty.post(`/api/v1/footage-requests/${footage.body.id}/complete`, { hours: 1 })).status,
    ).toBe(200);
    const alert = await postJson(`${s.url}/api/v1/video-alerts`, {
      cameraId: cams[3].id,
      type: 'smoke',
      confidence: 0.8,
    });
    expect(alert.status).toBe(202);
    alertId = alert.body.id;
    await until(async () => (await s.container.state.getVideoAlert(alertId)) !== null);
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
    const live = await s.container.state.getIncident(gas.id);
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
    // The seed's own mode.changed comes first.
    expect(modes.map((m) => m.state)).toEqual(['peacetime', 'wartime', 'peacetime']);
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

  it('keeps every history entry and merged id of a case, and every alias', async () => {
    await caughtUp();
    const live = (await s.container.state.getIncident(fire.id))!;
    expect(live.mergedIds).toEqual(merged.slice(-20));
    expect(await repo.mergedIds(fire.id)).toEqual(merged);
    for (const id of merged) expect(await repo.resolveAlias(id)).toBe(fire.id);
    expect(await repo.resolveAlias(fire.id)).toBeNull();
    const hist = await repo.caseHistory(fire.id);
    expect(hist.map((e) => e.action)).toEqual(['accepted', ...merged.map(() => 'merged'), 'field_report']);
    expect(hist.slice(1, -1).map((e) => e.ref)).toEqual(merged);
    expect(hist.at(-1)).toEqual(live.lastAction);
    expect(await repo.listReports(fire.id)).toEqual([report]);
    expect(await repo.listReports(gas.id)).toEqual([]);

    // The route answers the same record (from the server's own database), by any of its ids.
    for (const id of [fire.id, merged[0], merged[23]]) {
      const r = await as.duty.get(`/api/v1/incidents/${id}`);
      expect(r.status).toBe(200);
      const rec = r.body as IncidentRecord;
      expect(rec).toEqual({ ...live, mergedIds: merged, history: hist });
    }
    expect((await as.duty.get(`/api/v1/incidents/${merged[5]}/reports`)).body).toEqual([report]);

    const rows = await h.db.selectFrom('tasks').selectAll().where('operation_id', '=', opId).execute();
    const op = (await s.container.state.getOperation(opId))!;
    expect(rows.map((t) => t.task_id).sort()).toEqual(op.tasks.map((t) => t.id).sort());
    expect(rows.find((t) => t.status === 'in_progress')).toBeDefined();
    const ds = await h.db.selectFrom('dispatches').selectAll().execute();
    expect(ds).toHaveLength(1);
    expect(await repo.getDispatch(ds[0].id)).toMatchObject({ incidentId: gas.id, operationId: opId });
    const moves = await h.db
      .selectFrom('resource_status')
      .select(['resource_id', 'status', 'operation_id'])
      .where('resource_id', '=', ds[0].resource_id)
      .orderBy('seq')
      .execute();
    // The seed's resource.updated (available) comes first.
    expect(moves.map((m) => m.status)).toEqual(['available', 'dispatched', 'returning']);
    expect(moves[1].operation_id).toBe(opId);
  });

  it('answers the record of what only the database holds: cases, aliases, reports, after-action', async () => {
    await caughtUp();
    // A state with nothing in it (another prefix): every read must come from the database, as
    // for items archived out of Redis. The stream is the real one.
    const empty = new StateRepository(s.container.redis, keys('{pz-nothing-here}'));
    // Display names as the container's record service resolves them, to compare like with like.
    const names = async () =>
      new Map((await s.container.auth.people()).map((u) => [u.username, u.displayName]));
    const records = new RecordService(
      s.container.store,
      empty,
      repo,
      () => p.projectedSeq(),
      undefined,
      names,
    );
    const full = (await as.duty.get(`/api/v1/incidents/${fire.id}`)).body as IncidentRecord;
    expect(await records.incident(fire.id)).toEqual(full);
    expect(await records.incident(merged[10])).toEqual(full);
    expect(await records.incident('INC-nope')).toBeNull();
    expect(await records.reports(merged[1])).toEqual([report]);
    await expect(records.reports('INC-nope')).rejects.toMatchObject({ status: 404 });
    const gasRecord = await records.incident(gas.id);
    expect(gasRecord?.status).toBe('closed');
    expect(gasRecord?.history.map((e) => e.action)).toContain('operation_stood_down');
    // The stream trimmed as a projector with EVENT_RETENTION=0 trims it: the operation's events
    // are in the database only.
    const projected = Math.min(p.projectedSeq(), s.container.projector!.projectedSeq());
    await trimProjected(s.container.redis, s.container.keys.events, projected, 0, { exact: true });
    expect(await s.container.store.oldestSeq()).toBe(projected + 1);
    const { generatedAt: _a, ...aar } = await records.afterAction(opId);
    const { generatedAt: _b, ...expected } = await s.container.records.afterAction(opId);
    expect(aar).toEqual(expected);
    expect(aar.operationId).toBe(opId);
    expect(aar.timeline.length).toBeGreaterThan(3);
    expect(await records.incident(fire.id)).toEqual(full);
    expect(await records.videoAlert(alertId)).toEqual(await s.container.state.getVideoAlert(alertId));
    expect(await records.videoAlert('VA-nope')).toBeNull();
  });

  it('adds what the stream holds above the projected seq: a change is in the record at once', async () => {
    await caughtUp();
    const records = new RecordService(s.container.store, s.container.state, repo, () => p.projectedSeq());
    const before = (await records.incident(fire.id))!;
    await p.stop(); // the database now lags
    try {
      const filed = await as.liaison.post(`/api/v1/incidents/${fire.id}/reports`, { text: '火势减弱' });
      expect(filed.status).toBe(201);
      const r = await postJson(`${s.url}/api/v1/incidents`, {
        source: 'hotline-12345',
        kind: 'emergency',
        category: 'fire',
        title: '仓库起火 又一通',
        location: fire.location,
      });
      expect(r.status).toBe(202);
      await until(async () => (await s.container.state.resolveIncidentId(r.body.id)) === fire.id);
      expect(await repo.resolveAlias(r.body.id)).toBeNull(); // not projected
      const now = (await records.incident(fire.id))!;
      expect(now.history).toEqual([
        ...before.history,
        expect.objectContaining({ action: 'field_report', ref: filed.body.id }),
        expect.objectContaining({ action: 'merged', ref: r.body.id }),
      ]);
      expect(now.mergedIds).toEqual([...merged, r.body.id]);
      expect(await records.incident(r.body.id)).toEqual(now);
      expect(await records.reports(fire.id)).toEqual([report, filed.body]);
      merged.push(r.body.id);
    } finally {
      p = startProjector();
    }
    await caughtUp();
    expect(await repo.mergedIds(fire.id)).toEqual(merged);
  });

  it('projects events written before protocol v2 (whole history, no lastAction)', async () => {
    // As a v1 server wrote them: the incident carried its history and every merged id.
    const base = { ...fire, id: 'INC-v1-test', mergedIds: [] as string[] } as Incident & {
      history?: unknown[];
    };
    delete (base as Partial<Incident>).lastAction;
    const h1 = { at: fire.createdAt, action: 'accepted', actor: 'intake' };
    const h2 = { at: fire.createdAt, action: 'merged', note: 'RPT-a', actor: 'intake' };
    const h3 = { at: fire.createdAt, action: 'merged', note: 'RPT-b', actor: 'intake' };
    const evs = [
      { ...base, history: [h1] },
      { ...base, mergedIds: ['INC-v1-a'], history: [h1, h2], version: 2 },
      { ...base, mergedIds: ['INC-v1-a', 'INC-v1-b'], history: [h1, h2, h3], version: 3 },
    ];
    const trx = h.db;
    const seqs = [900_001, 900_002, 900_003];
    await trx.transaction().execute(async (t) => {
      const { applyToReadModels } = await import('./read-models.ts');
      await applyToReadModels(
        t,
        evs.map((data, i) => ({
          seq: seqs[i],
          type: i === 0 ? 'incident.created' : 'incident.updated',
          at: fire.createdAt,
          data,
        })) as LiveEvent[],
      );
    });
    try {
      expect(await repo.caseHistory('INC-v1-test')).toEqual([h1, h2, h3]);
      expect(await repo.mergedIds('INC-v1-test')).toEqual(['INC-v1-a', 'INC-v1-b']);
      expect(await repo.resolveAlias('INC-v1-b')).toBe('INC-v1-test');
      const empty = new StateRepository(s.container.redis, keys('{pz-nothing-here}'));
      const records = new RecordService(s.container.store, empty, repo, () => p.projectedSeq());
      const rec = (await records.incident('INC-v1-a'))!;
      expect(rec.lastAction).toEqual(h3);
      expect(rec.history).toEqual([h1, h2, h3]);
      expect(rec.mergedIds).toEqual(['INC-v1-a', 'INC-v1-b']);
    } finally {
      for (const t of ['cases', 'case_facts', 'case_history', 'case_aliases'])
        await h.pool.query(
          `delete from ${t} where ${t === 'cases' || t === 'case_facts' ? 'id' : 'case_id'} = 'INC-v1-test'`,
        );
    }
  });

  it('rebuilds the read models from events to the very rows live projection wrote', async () => {
    await caughtUp();
    const live = await dump();
    expect(live.cases.length).toBeGreaterThan(60);
    for (const t of READ_MODEL_TABLES) expect(live[t].length, t).toBeGreaterThan(0);
    // Damage them first, so that equal rows after can only come from the replay.
    await h.pool.query(`delete from cases where id in (select id from cases limit 5)`);
    await h.pool.query(`update cases set title = 'x', closed_at = null`);
    for (const t of READ_MODEL_TABLES.filter((t) => t !== 'cases')) await h.pool.query(`delete from ${t}`);
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
