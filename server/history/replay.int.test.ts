/**
 * Replay: the state at `from` rebuilt from the history database is what `GET /api/v1/snapshot`
 * answered at that moment, and the events after it, applied by the console's own code, lead to
 * the snapshot at `to` — with the Redis stream trimmed to its last few events meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../shared/protocol.ts';
import { applyBatch, fromSnapshot, type LiveData } from '../../client/src/lib/live/apply-events.ts';
import type { Replay } from '../../shared/replay.ts';
import { ReplayRepository } from './replay.repository.ts';
import { ReplayService } from './replay.service.ts';
import { loginAll, reportIncident, snapshot, until, type Api } from '../testing/command-helpers.ts';
import { startTestServer, waitForPipelineIdle, type TestServer } from '../testing/harness.ts';

/** Arrays in id order: the snapshot reads hashes, whose order means nothing. */
function normal(s: Snapshot) {
  const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));
  return {
    seq: s.seq,
    mode: s.mode,
    incidents: byId(s.incidents),
    videoAlerts: byId(s.videoAlerts),
    resources: byId(s.resources),
    operations: byId(s.operations),
    plans: s.plans,
  };
}
function dataOf(d: LiveData) {
  return {
    seq: d.seq,
    mode: d.mode,
    incidents: [...d.incidents.values()],
    videoAlerts: [...d.videoAlerts.values()],
    resources: [...d.resources.values()],
    operations: [...d.operations.values()],
    plans: d.plans,
  } as Snapshot;
}

describe('replay', () => {
  let s: TestServer;
  let as: Record<'duty' | 'commander' | 'liaison' | 'admin', Api>;
  /** Snapshots taken along the way, each with a moment right after it and before anything else. */
  const marks: { snap: Snapshot; at: string }[] = [];

  async function caughtUp(): Promise<number> {
    await waitForPipelineIdle(s);
    const head = await s.container.store.headSeq();
    await until(async () => s.container.projector!.projectedSeq() >= head, 30_000);
    return head;
  }
  async function replay(from: string, to: string): Promise<Replay> {
    const r = await as.liaison.get(`/api/v1/replay?${new URLSearchParams({ from, to })}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as Replay;
  }
  /** The snapshot and a moment after it; the clock then moves on before anything else happens. */
  async function mark(): Promise<void> {
    await waitForPipelineIdle(s);
    const snap = await snapshot(as.commander);
    const at = new Date().toISOString();
    await until(async () => Date.now() > Date.parse(at) + 1);
    marks.push({ snap, at });
  }

  beforeAll(async () => {
    // A stream that keeps only the last few events: replay must read the database, not Redis.
    s = await startTestServer({ config: { eventRetention: 5 } });
    as = await loginAll(s.url);

    await mark(); // 0: the seed, before any event
    const gas = await reportIncident(s.url, as.duty, { category: 'gas_leak', title: '燃气管道泄漏 回放' });
    await mark(); // 1: one incident, peacetime
    const op = await as.commander.post('/api/v1/operations', { planId: 'plan-gas-leak', incidentId: gas.id });
    expect(op.status).toBe(201);
    const task = (await s.container.state.getOperation(op.body.id))!.tasks[0];
    expect(
      (await as.liaison.patch(`/api/v1/operations/${op.body.id}/tasks/${task.id}`, { status: 'in_progress' }))
        .status,
    ).toBe(200);
    const rid = (await s.container.state.listResources()).find((r) => r.status === 'available')!.id;
    expect(
      (await as.commander.post('/api/v1/dispatches', { resourceId: rid, incidentId: gas.id })).status,
    ).toBe(201);
    await mark(); // 2: wartime, a task in progress, a resource dispatched
    expect((await as.commander.post(`/api/v1/operations/${op.body.id}/stand-down`, {})).status).toBe(200);
    await reportIncident(s.url, as.duty, { category: 'flood', title: '积水 回放' });
    await mark(); // 3: peacetime again, a second incident
    await caughtUp();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('answers, at each moment, the state the live snapshot showed then', async () => {
    const head = await s.container.store.headSeq();
    await until(async () => (await s.container.redis.xlen(s.container.keys.events)) < head - 5);
    const to = new Date(Date.now() + 1000).toISOString();
    for (const [i, m] of marks.entries()) {
      const r = await replay(m.at, to);
      expect(r.at).toBe(m.at);
      expect(normal(r.state), `mark ${i}`).toEqual(normal(m.snap));
    }
    // The seed enters by events (mode.changed, resource.updated): nothing has to be assumed.
    for (const m of [marks[0], marks[2]]) {
      const r = await replay(m.at, to);
      expect(r.assumed.mode).toBe(false);
      expect(r.assumed.resourceIds).toEqual([]);
    }
  });

  it('gives every event after the state up to `to`, in order, and they lead to the later snapshots', async () => {
    const head = await s.container.store.headSeq();
    const r = await replay(marks[1].at, marks[3].at);
    expect(r.truncated).toBe(false);
    expect(r.events.map((e) => e.seq)).toEqual(
      Array.from({ length: marks[3].snap.seq - marks[1].snap.seq }, (_, i) => marks[1].snap.seq + 1 + i),
    );
    expect(marks[3].snap.seq).toBe(head);
    // The console's own reducer: state + events up to each later mark = that mark's snapshot.
    const d = fromSnapshot(r.state);
    applyBatch(
      d,
      r.events.filter((e) => e.seq <= marks[2].snap.seq),
    );
    expect(normal(dataOf(d))).toEqual(normal(marks[2].snap));
    applyBatch(d, r.events);
    expect(normal(dataOf(d))).toEqual(normal(marks[3].snap));
  });

  it('caps the events: truncated, and nextFrom continues exactly after the last one given', async () => {
    const small = new ReplayService(
      new ReplayRepository(s.container.history.db),
      s.container.state,
      s.container.plans,
      3,
    );
    const to = new Date(Date.now() + 1000).toISOString();
    const seen: number[] = [];
    let from = marks[0].at;
    for (let i = 0; i < 100; i++) {
      const r = await small.replay({ from, to });
      if (seen.length) expect(r.state.seq).toBe(seen[seen.length - 1]);
      seen.push(...r.events.map((e) => e.seq));
      if (!r.truncated) break;
      // More than the cap only when one moment (one commit) holds more: it is never split.
      if (r.events.length > 3) expect(new Set(r.events.map((e) => e.at)).size).toBe(1);
      expect(r.nextFrom).toBeDefined();
      from = r.nextFrom!;
    }
    const head = await s.container.store.headSeq();
    const base = marks[0].snap.seq;
    expect(seen).toEqual(Array.from({ length: head - base }, (_, i) => base + 1 + i));
  });

  it('refuses bad parameters with 400 naming each, and asks for a login first', async () => {
    const bad = async (qs: string) => {
      const r = await as.duty.get(`/api/v1/replay${qs}`);
      expect(r.status, qs).toBe(400);
      expect(r.body.error).toBe('invalid_request');
      return (r.body.issues as { path: string; message: string }[]).map((i) => i.path).sort();
    };
    expect(await bad('')).toEqual(['querystring.from', 'querystring.to']);
    expect(await bad('?from=yesterday&to=2026-12-01T10:00:00Z')).toEqual(['querystring.from']);
    // No offset: a local time means a different moment on every machine.
    expect(await bad('?from=2026-12-01T09:00:00&to=2026-12-01T10:00:00Z')).toEqual(['querystring.from']);
    expect(await bad('?from=2026-12-01T10:00:00Z&to=2026-12-01T10:00:00%2B00:00')).toEqual([
      'querystring.to',
    ]);
    expect(await bad('?from=2026-12-01T10:00:00Z&to=2026-12-01T09:00:00Z')).toEqual(['querystring.to']);
    expect(await bad('?from=2026-11-01T10:00:00Z&to=2026-12-01T10:00:00Z')).toEqual(['querystring.to']);
    expect(await bad('?from=2026-12-01T10:00:00Z&from=2026-12-01T11:00:00Z&to=2026-12-02T10:00:00Z')).toEqual(
      ['querystring.from'],
    );
    const anon = await fetch(`${s.url}/api/v1/replay?from=2026-12-01T09:00:00Z&to=2026-12-01T10:00:00Z`);
    expect(anon.status).toBe(401);
    // Any operator may replay; offsets other than Z name the same moment.
    const ok = await as.duty.get(
      `/api/v1/replay?${new URLSearchParams({ from: '2026-12-01T17:00:00+08:00', to: '2026-12-01T18:00:00+08:00' })}`,
    );
    expect(ok.status).toBe(200);
    expect(ok.body.at).toBe('2026-12-01T09:00:00.000Z');
  });
});
