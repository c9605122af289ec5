import { describe, expect, it } from 'vitest';
import type { Incident } from '../../shared/incident.ts';
import type { LiveEvent } from '../../shared/protocol.ts';
import { ScopeTracker } from './scoped-feed.ts';

const inc = (id: string, streetId: string | null, departmentId: string | null) =>
  ({ id, streetId, departmentId }) as Incident;
let seq = 10;
const ev = (type: LiveEvent['type'], data: unknown) => ({ seq: ++seq, type, at: '', data }) as LiveEvent;

describe('ScopeTracker', () => {
  it("a department sees its cases, their reports, the one that takes a case away, and the wall's context", () => {
    const t = new ScopeTracker({ seq: 10, incidents: [inc('a', 'S1', 'dept-cgw')] });
    const dept = { departmentId: 'dept-cgw' };
    const events = [
      ev('incident.updated', inc('a', 'S1', 'dept-cgw')),
      ev('report.created', { id: 'r1', incidentId: 'a' }),
      ev('incident.created', inc('b', 'S2', null)),
      ev('incident.updated', inc('a', 'S1', 'dept-swj')), // dispatched elsewhere: the last it sees
      ev('incident.updated', inc('a', 'S1', 'dept-swj')),
      ev('report.created', { id: 'r2', incidentId: 'a' }),
      ev('mode.changed', { id: 'mode' }),
      ev('video_alert.created', { id: 'v1' }),
      ev('operation.activated', { id: 'o1' }),
      ev('incident.updated', inc('b', 'S2', 'dept-cgw')), // b comes in
      ev('incident.archived', { id: 'b' }),
    ];
    t.observe(events);
    expect(t.filter(dept, events).map((e) => e.seq - 10)).toEqual([1, 2, 4, 7, 10, 11]);
    // The street sees both of its cases whatever their department, never the other street's.
    expect(t.filter({ streetId: 'S1' }, events).map((e) => e.seq - 10)).toEqual([1, 2, 4, 5, 6, 7]);
  });

  it('observes each event once, whatever the tail repeats', () => {
    const t = new ScopeTracker({ seq: 0, incidents: [] });
    const e1 = ev('incident.created', inc('c', 'S1', 'dept-cgw'));
    const e2 = ev('incident.updated', inc('c', 'S1', 'dept-swj'));
    t.observe([e1, e2]);
    t.observe([e2]);
    expect(t.sees({ departmentId: 'dept-cgw' }, e2)).toBe(true);
    expect(t.size).toBe(1);
  });
});
