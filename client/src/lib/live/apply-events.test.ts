import { describe, expect, it } from 'vitest';
import type { Incident, LiveEvent } from '../../../../shared/index.ts';
import {
  applyBatch,
  fromSnapshot,
  knownHead,
  MAX_ARCHIVED_KEPT,
  noChanges,
  toV2Incident,
  type LiveData,
} from './apply-events.ts';
import { ev, incident, operation, resource, rng, snapshot, videoAlert } from '../testing/fixtures.ts';

/** A realistic log of `n` events over a handful of entities. */
function makeLog(n: number, seed: number): LiveEvent[] {
  const r = rng(seed);
  const log: LiveEvent[] = [];
  const versions = new Map<string, number>();
  const bump = (id: string) => {
    const v = (versions.get(id) ?? 0) + 1;
    versions.set(id, v);
    return v;
  };
  for (let seq = 1; seq <= n; seq++) {
    const k = Math.floor(r() * 5);
    const id = String(Math.floor(r() * 8));
    if (k === 0 || k === 1) {
      const iid = `i${id}`;
      const v = bump(iid);
      log.push(
        ev(seq, {
          type: v === 1 ? 'incident.created' : 'incident.updated',
          data: incident(iid, { version: v, title: `t${seq}`, severity: ((seq % 4) + 1) as 1 | 2 | 3 | 4 }),
        }),
      );
    } else if (k === 2) {
      const aid = `a${id}`;
      const v = bump(aid);
      log.push(
        ev(seq, {
          type: v === 1 ? 'video_alert.created' : 'video_alert.updated',
          data: videoAlert(aid, { version: v, status: v % 2 ? 'new' : 'confirmed' }),
        }),
      );
    } else if (k === 3) {
      const rid = `r${id}`;
      log.push(ev(seq, { type: 'resource.updated', data: resource(rid, { version: bump(rid) }) }));
    } else {
      log.push(
        ev(seq, {
          type: 'mode.changed',
          data: {
            id: 'mode',
            state: seq % 2 ? 'wartime' : 'peacetime',
            since: '2024-06-01T08:00:00Z',
            operationIds: [],
          },
        }),
      );
    }
  }
  return log;
}

/** The state reached by applying the whole log in order, one event at a time. */
function reference(log: LiveEvent[]): LiveData {
  const d = fromSnapshot(snapshot());
  for (const e of log) applyBatch(d, [e]);
  return d;
}

function comparable(d: LiveData) {
  const sorted = <T extends { id: string }>(m: Map<string, T>) =>
    [...m.values()].sort((a, b) => a.id.localeCompare(b.id));
  return {
    seq: d.seq,
    mode: d.mode,
    incidents: sorted(d.incidents),
    videoAlerts: sorted(d.videoAlerts),
    resources: sorted(d.resources),
  };
}

describe('applyBatch', () => {
  it('applies events in seq order and reports what changed', () => {
    const d = fromSnapshot(snapshot({ seq: 10 }));
    const r = applyBatch(d, [
      ev(11, { type: 'incident.created', data: incident('i1') }),
      ev(12, { type: 'video_alert.created', data: videoAlert('a1') }),
    ]);
    expect(r.applied.map((e) => e.seq)).toEqual([11, 12]);
    expect(r.gap).toBe(false);
    expect(r.changes.incidents).toBe(true);
    expect(r.changes.videoAlerts).toBe(true);
    expect(r.changes.resources).toBe(false);
    expect(d.seq).toBe(12);
    expect(d.incidents.get('i1')?.title).toBe('Incident i1');
  });

  it('ignores duplicates and events already covered by the snapshot', () => {
    const d = fromSnapshot(snapshot({ seq: 5, incidents: [incident('i1', { title: 'snap' })] }));
    const r = applyBatch(d, [
      ev(4, { type: 'incident.updated', data: incident('i1', { title: 'old', version: 9 }) }),
      ev(5, { type: 'incident.updated', data: incident('i1', { title: 'old5', version: 9 }) }),
      ev(6, { type: 'incident.updated', data: incident('i1', { title: 'six', version: 2 }) }),
      ev(6, { type: 'incident.updated', data: incident('i1', { title: 'dup', version: 2 }) }),
    ]);
    expect(r.duplicates).toBe(3);
    expect(r.applied).toHaveLength(1);
    expect(d.incidents.get('i1')?.title).toBe('six');
    expect(r.changes.incidents).toBe(true);
  });

  it('holds events behind a gap and applies them once it is filled', () => {
    const d = fromSnapshot(snapshot({ seq: 1 }));
    const r1 = applyBatch(d, [
      ev(3, { type: 'incident.created', data: incident('i3') }),
      ev(4, { type: 'incident.created', data: incident('i4') }),
    ]);
    expect(r1.gap).toBe(true);
    expect(r1.applied).toHaveLength(0);
    expect(d.seq).toBe(1);
    expect(d.incidents.size).toBe(0);
    expect(knownHead(d)).toBe(4);
    // the catch-up resends 2..4; 3 and 4 are held already, so only their copies are duplicates
    const r2 = applyBatch(d, [
      ev(2, { type: 'incident.created', data: incident('i2') }),
      ev(3, { type: 'incident.created', data: incident('i3') }),
      ev(4, { type: 'incident.created', data: incident('i4') }),
    ]);
    expect(r2.gap).toBe(false);
    expect(r2.applied.map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(d.seq).toBe(4);
    expect(d.pending.size).toBe(0);
  });

  it('applies out-of-order events of one batch in seq order', () => {
    const d = fromSnapshot(snapshot());
    applyBatch(d, [
      ev(2, { type: 'incident.updated', data: incident('i1', { title: 'second', version: 2 }) }),
      ev(1, { type: 'incident.created', data: incident('i1', { title: 'first', version: 1 }) }),
    ]);
    expect(d.incidents.get('i1')?.title).toBe('second');
    expect(d.seq).toBe(2);
  });

  it('merges task updates into their operation', () => {
    const op = operation('o1');
    const d = fromSnapshot(snapshot({ operations: [op] }));
    const { id: _i, ...task } = op.tasks[0];
    const r = applyBatch(d, [
      ev(1, { type: 'task.updated', data: { ...op.tasks[0], ...task, status: 'done', operationId: 'o1' } }),
    ]);
    expect(r.changes.operations).toBe(true);
    expect(d.operations.get('o1')?.tasks[0].status).toBe('done');
  });

  it('records mode changes, dispatches and field reports', () => {
    const d = fromSnapshot(snapshot());
    applyBatch(d, [
      ev(1, {
        type: 'mode.changed',
        data: { id: 'mode', state: 'wartime', since: '2024-06-01T08:00:00Z', operationIds: ['o1'] },
      }),
      ev(2, {
        type: 'report.created',
        data: { id: 'f1', incidentId: 'i1', text: 'on scene', actor: 'liaison', at: '2024-06-01T08:00:00Z' },
      }),
      ev(3, {
        type: 'dispatch.created',
        data: {
          id: 'd1',
          resourceId: 'r1',
          incidentId: 'i1',
          operationId: null,
          at: '2024-06-01T08:00:00Z',
          actor: 'c',
          distanceM: 1,
          etaMin: 1,
        },
      }),
    ]);
    expect(d.mode.state).toBe('wartime');
    expect(d.mode).not.toHaveProperty('id');
    expect(d.reports.get('i1')).toHaveLength(1);
    expect(d.dispatches).toHaveLength(1);
  });

  it('keeps the cameras in step: the snapshot, then each camera.updated replaces its camera', () => {
    const cam = {
      id: 'CAM-1',
      name: 'gate',
      location: { lng: 116.3, lat: 39.9 },
      streetId: null,
      communityId: null,
      kind: 'road' as const,
      links: {},
      status: 'unknown' as const,
      lastSeenAt: null,
    };
    const d = fromSnapshot(snapshot({ seq: 3, cameras: [cam] }));
    expect(d.cameras.get('CAM-1')?.status).toBe('unknown');
    const online = { ...cam, status: 'online' as const, lastSeenAt: '2026-01-01T00:00:00.000Z' };
    const linked = { ...online, links: { frigate: { camera: 'front_door' } } };
    const r = applyBatch(d, [
      ev(5, { type: 'camera.updated', data: linked }),
      ev(4, { type: 'camera.updated', data: online }),
    ]);
    expect(r.changes.cameras).toBe(true);
    expect(r.changes.incidents).toBe(false);
    expect(d.cameras.get('CAM-1')).toEqual(linked);
    // A snapshot from before protocol v4 has no cameras: an empty map, not a crash.
    const { cameras: _c, ...old } = snapshot();
    expect(fromSnapshot(old as never).cameras.size).toBe(0);
  });

  it('counts an unknown event type toward seq without breaking', () => {
    const d = fromSnapshot(snapshot());
    const r = applyBatch(d, [
      { seq: 1, type: 'something.new', at: 'x', data: { id: 'z' } } as unknown as LiveEvent,
    ]);
    expect(r.gap).toBe(false);
    expect(d.seq).toBe(1);
  });

  it('fuzz: any delivery with duplicates, reordering and holes converges once all events arrive', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = rng(seed * 7919);
      const log = makeLog(20 + Math.floor(r() * 80), seed);
      const want = comparable(reference(log));

      const d = fromSnapshot(snapshot());
      // deliver in random batches: shuffled windows, duplicated events, dropped events
      const dropped: LiveEvent[] = [];
      let i = 0;
      while (i < log.length) {
        const size = 1 + Math.floor(r() * 6);
        const win = log.slice(i, i + size);
        i += size;
        const batch: LiveEvent[] = [];
        for (const e of win) {
          const x = r();
          if (x < 0.1) dropped.push(e);
          else {
            batch.push(e);
            if (x > 0.85) batch.push(e);
          }
        }
        if (r() < 0.3) batch.push(log[Math.floor(r() * log.length)]);
        for (let k = batch.length - 1; k > 0; k--) {
          const j = Math.floor(r() * (k + 1));
          [batch[k], batch[j]] = [batch[j], batch[k]];
        }
        const res = applyBatch(d, batch);
        // invariants after every batch
        expect(res.applied.map((e) => e.seq)).toEqual(res.applied.map((_, k) => res.applied[0].seq + k));
        for (const s of d.pending.keys()) expect(s).toBeGreaterThan(d.seq + 1);
        expect(res.gap).toBe(d.pending.size > 0);
      }
      // catch-up: the server resends everything after d.seq
      const res = applyBatch(
        d,
        log.filter((e) => e.seq > d.seq),
      );
      expect(res.gap, `seed ${seed}`).toBe(false);
      expect(comparable(d), `seed ${seed}`).toEqual(want);
    }
  });

  it('fuzz: replaying any prefix again changes nothing', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const log = makeLog(60, seed);
      const d = reference(log);
      const before = comparable(d);
      const r = rng(seed);
      const replay = log.slice(0, Math.floor(r() * log.length) + 1);
      const res = applyBatch(d, replay);
      expect(res.applied).toHaveLength(0);
      expect(res.duplicates).toBe(replay.length);
      expect(comparable(d)).toEqual(before);
    }
  });
});

describe('operation events, in the order the server commits them', () => {
  const at = '2024-06-01T08:00:00.000Z';
  const mode = (state: 'peacetime' | 'wartime', operationIds: string[]) => ({
    id: 'mode' as const,
    state,
    since: at,
    operationIds,
  });

  it('activation, a task, a dispatch, a report and stand-down', () => {
    const inc = incident('i1');
    const res = resource('r1');
    const d = fromSnapshot(snapshot({ incidents: [inc], resources: [res] }));
    const op1 = operation('o1', { incidentId: 'i1' });
    // activation: the operation, its incident, the mode — one commit, three events
    let r = applyBatch(d, [
      ev(1, { type: 'operation.activated', data: op1 }),
      ev(2, { type: 'incident.updated', data: { ...inc, operationIds: ['o1'], version: 2 } }),
      ev(3, { type: 'mode.changed', data: mode('wartime', ['o1']) }),
    ]);
    expect(r.changes).toMatchObject({ operations: true, incidents: true, mode: true });
    expect(d.mode).toMatchObject({ state: 'wartime', operationIds: ['o1'] });
    expect(d.operations.get('o1')?.status).toBe('active');

    // a task: task.updated, then the operation with its version bumped
    const done = { ...op1.tasks[0], status: 'done' as const, doneAt: at };
    r = applyBatch(d, [ev(4, { type: 'task.updated', data: { ...done, operationId: 'o1' } })]);
    expect(r.changes.operations).toBe(true);
    expect(d.operations.get('o1')?.tasks[0].status).toBe('done');
    const op2 = { ...op1, tasks: [done], version: 2 };
    applyBatch(d, [ev(5, { type: 'operation.updated', data: op2 })]);
    expect(d.operations.get('o1')).toEqual(op2);

    // a dispatch: the record, the resource, the operation owning it
    const dispatched = resource('r1', {
      status: 'dispatched',
      incidentId: 'i1',
      operationId: 'o1',
      version: 2,
    });
    const op3 = { ...op2, resourceIds: ['r1'], version: 3 };
    r = applyBatch(d, [
      ev(6, {
        type: 'dispatch.created',
        data: {
          id: 'd1',
          resourceId: 'r1',
          incidentId: 'i1',
          operationId: 'o1',
          at,
          actor: 'commander',
          distanceM: 900,
          etaMin: 2,
        },
      }),
      ev(7, { type: 'resource.updated', data: dispatched }),
      ev(8, { type: 'operation.updated', data: op3 }),
    ]);
    expect(r.changes).toMatchObject({ dispatches: true, resources: true, operations: true });
    expect(d.resources.get('r1')?.status).toBe('dispatched');
    expect(d.operations.get('o1')?.resourceIds).toEqual(['r1']);
    expect(d.dispatches.map((x) => x.id)).toEqual(['d1']);

    // a liaison moves it on
    applyBatch(d, [
      ev(9, { type: 'resource.updated', data: { ...dispatched, status: 'en_route', version: 3 } }),
    ]);
    expect(d.resources.get('r1')?.status).toBe('en_route');

    // a field report (and its incident history)
    const report = { id: 'f1', incidentId: 'i1', text: '到场', actor: 'liaison', at };
    applyBatch(d, [
      ev(10, { type: 'report.created', data: report }),
      ev(11, { type: 'incident.updated', data: { ...inc, operationIds: ['o1'], version: 3 } }),
    ]);
    expect(d.reports.get('i1')).toEqual([report]);

    // stand-down: incident, released resources, the mode, the operation last
    r = applyBatch(d, [
      ev(12, { type: 'incident.updated', data: { ...inc, operationIds: ['o1'], version: 4 } }),
      ev(13, { type: 'resource.updated', data: { ...dispatched, status: 'returning', version: 4 } }),
      ev(14, { type: 'mode.changed', data: mode('peacetime', []) }),
      ev(15, {
        type: 'operation.stood_down',
        data: { ...op3, status: 'stood_down', stoodDownAt: at, version: 4 },
      }),
    ]);
    expect(r.gap).toBe(false);
    expect(d.mode).toMatchObject({ state: 'peacetime', operationIds: [] });
    expect(d.operations.get('o1')?.status).toBe('stood_down');
    expect(d.resources.get('r1')?.status).toBe('returning');
    expect(d.seq).toBe(15);
  });

  it('never lets an older operation version overwrite a newer one', () => {
    const op = operation('o1', { version: 3 });
    const d = fromSnapshot(snapshot({ operations: [op] }));
    applyBatch(d, [ev(1, { type: 'operation.updated', data: { ...op, name: 'old', version: 2 } })]);
    expect(d.operations.get('o1')?.name).toBe(op.name);
  });

  it('ignores a task of an operation it does not hold (the seq still counts)', () => {
    const d = fromSnapshot(snapshot());
    const op = operation('o1');
    const r = applyBatch(d, [ev(1, { type: 'task.updated', data: { ...op.tasks[0], operationId: 'o1' } })]);
    expect(r.changes.operations).toBe(false);
    expect(d.operations.size).toBe(0);
    expect(d.seq).toBe(1);
  });

  it('keeps one copy of a report seen twice under different seqs', () => {
    const d = fromSnapshot(snapshot());
    const report = { id: 'f1', incidentId: 'i1', text: 'x', actor: 'l', at };
    applyBatch(d, [
      ev(1, { type: 'report.created', data: report }),
      ev(2, { type: 'report.created', data: report }),
    ]);
    expect(d.reports.get('i1')).toHaveLength(1);
  });
});

describe('protocol v2: archived items and v1 incidents', () => {
  const at = '2024-06-01T09:00:00.000Z';
  const dispatch = (id: string, incidentId: string, operationId: string | null) => ({
    id,
    resourceId: 'r1',
    incidentId,
    operationId,
    at,
    actor: 'commander',
    distanceM: 100,
    etaMin: 1,
  });
  const report = (id: string, incidentId: string) => ({ id, incidentId, text: id, actor: 'liaison', at });

  it('an archived incident leaves the state with its reports and dispatches; its last copy is remembered', () => {
    const inc = incident('i1', { status: 'closed', version: 5 });
    const d = fromSnapshot(snapshot({ incidents: [inc, incident('i2')] }));
    applyBatch(d, [
      ev(1, { type: 'report.created', data: report('f1', 'i1') }),
      ev(2, { type: 'report.created', data: report('f2', 'i2') }),
      ev(3, { type: 'dispatch.created', data: dispatch('d1', 'i1', null) }),
      ev(4, { type: 'dispatch.created', data: dispatch('d2', 'i2', null) }),
    ]);
    const r = applyBatch(d, [ev(5, { type: 'incident.archived', data: { id: 'i1' } })]);
    expect(r.changes).toMatchObject({ incidents: true, reports: true, dispatches: true });
    expect([...d.incidents.keys()]).toEqual(['i2']);
    expect([...d.reports.keys()]).toEqual(['i2']);
    expect(d.dispatches.map((x) => x.id)).toEqual(['d2']);
    expect(d.archived.get('i1')).toEqual({ kind: 'incident', item: inc });
    expect(d.seq).toBe(5);
  });

  it('an archived alert leaves the state', () => {
    const a = videoAlert('a1', { status: 'dismissed', version: 2 });
    const d = fromSnapshot(snapshot({ videoAlerts: [a, videoAlert('a2')] }));
    const r = applyBatch(d, [ev(1, { type: 'video_alert.archived', data: { id: 'a1' } })]);
    expect(r.changes.videoAlerts).toBe(true);
    expect([...d.videoAlerts.keys()]).toEqual(['a2']);
    expect(d.archived.get('a1')).toEqual({ kind: 'video_alert', item: a });
  });

  it('an archived operation takes its dispatches, and its reports unless its incident is still live', () => {
    const o1 = operation('o1', { incidentId: 'i1', status: 'stood_down' });
    const o2 = operation('o2', { incidentId: 'i2', status: 'stood_down' });
    // i1 was archived already; i2 is a case still open
    const d = fromSnapshot(snapshot({ operations: [o1, o2], incidents: [incident('i2')] }));
    applyBatch(d, [
      ev(1, { type: 'report.created', data: report('f1', 'i1') }),
      ev(2, { type: 'report.created', data: report('f2', 'i2') }),
      ev(3, { type: 'dispatch.created', data: dispatch('d1', 'i1', 'o1') }),
      ev(4, { type: 'dispatch.created', data: dispatch('d2', 'i2', 'o2') }),
      ev(5, { type: 'dispatch.created', data: dispatch('d3', 'i2', null) }),
    ]);
    let r = applyBatch(d, [ev(6, { type: 'operation.archived', data: { id: 'o1' } })]);
    expect(r.changes).toMatchObject({ operations: true, reports: true, dispatches: true });
    expect([...d.operations.keys()]).toEqual(['o2']);
    expect(d.reports.has('i1')).toBe(false);
    expect(d.dispatches.map((x) => x.id)).toEqual(['d2', 'd3']);
    r = applyBatch(d, [ev(7, { type: 'operation.archived', data: { id: 'o2' } })]);
    expect(d.operations.size).toBe(0);
    expect(d.reports.get('i2')?.map((x) => x.id)).toEqual(['f2']);
    expect(d.dispatches.map((x) => x.id)).toEqual(['d3']);
    expect(r.changes.reports).toBe(false);
  });

  it('archiving what it does not hold changes nothing (the seq still counts)', () => {
    const d = fromSnapshot(snapshot({ incidents: [incident('i1')] }));
    const r = applyBatch(d, [
      ev(1, { type: 'incident.archived', data: { id: 'gone' } }),
      ev(2, { type: 'video_alert.archived', data: { id: 'gone' } }),
      ev(3, { type: 'operation.archived', data: { id: 'gone' } }),
    ]);
    expect(r.changes).toEqual(noChanges());
    expect(d.incidents.size).toBe(1);
    expect(d.archived.size).toBe(0);
    expect(d.seq).toBe(3);
  });

  it('remembers at most MAX_ARCHIVED_KEPT archived items, dropping the oldest', () => {
    const n = MAX_ARCHIVED_KEPT + 5;
    const incs = Array.from({ length: n }, (_, k) => incident(`i${k}`));
    const d = fromSnapshot(snapshot({ incidents: incs }));
    applyBatch(
      d,
      incs.map((x, k) => ev(k + 1, { type: 'incident.archived', data: { id: x.id } })),
    );
    expect(d.incidents.size).toBe(0);
    expect(d.archived.size).toBe(MAX_ARCHIVED_KEPT);
    expect(d.archived.has('i4')).toBe(false);
    expect(d.archived.has('i5')).toBe(true);
  });

  it('reads a v1 incident (whole history, no lastAction) as v2: lastAction is its last entry', () => {
    const history = [
      { at: '2024-06-01T08:00:00.000Z', action: 'accepted', actor: 'hotline' },
      { at: '2024-06-01T08:05:00.000Z', action: 'merged', ref: 'INC-9' },
    ];
    const { lastAction: _drop, ...v2 } = incident('i1', { version: 2 });
    const v1 = { ...v2, history } as unknown as Incident;
    const d = fromSnapshot(snapshot({ incidents: [v1] }));
    expect(d.incidents.get('i1')?.lastAction).toEqual(history[1]);
    expect(d.incidents.get('i1')).not.toHaveProperty('history');
    applyBatch(d, [
      ev(1, {
        type: 'incident.updated',
        data: {
          ...v1,
          status: 'verified',
          version: 3,
          history: [...history, { at, action: 'verified' }],
        } as Incident,
      }),
    ]);
    expect(d.incidents.get('i1')).toMatchObject({ status: 'verified', lastAction: { action: 'verified' } });
    expect(d.incidents.get('i1')).not.toHaveProperty('history');
    // a v1 incident with an empty history still gets a lastAction (its status, when it changed)
    expect(toV2Incident({ ...v2, history: [] } as unknown as Incident).lastAction).toEqual({
      at: v2.updatedAt,
      action: v2.status,
    });
    // a v2 incident is kept as it is (same object)
    const inc = incident('i2');
    expect(toV2Incident(inc)).toBe(inc);
  });
});
