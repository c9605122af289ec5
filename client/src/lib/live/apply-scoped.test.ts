import { describe, expect, it } from 'vitest';
import { applyBatch, fromSnapshot } from './apply-events.ts';
import { ev, incident, snapshot } from '../testing/fixtures.ts';

/** A department's console: its feed skips the seqs of other scopes' events. */
function departmentFeed() {
  const d = fromSnapshot(
    snapshot({ seq: 10, incidents: [incident('a', { version: 1, departmentId: 'dept-cgw' })] }),
  );
  d.scope = { departmentId: 'dept-cgw' };
  return d;
}

describe('a scoped feed', () => {
  it('applies events past a gap at once, in order, and drops what it already has', () => {
    const d = departmentFeed();
    const b = incident('b', { version: 1, departmentId: 'dept-cgw' });
    const r1 = applyBatch(d, [
      ev(17, { type: 'incident.updated', data: incident('a', { version: 2, departmentId: 'dept-cgw' }) }),
      ev(14, { type: 'incident.created', data: b }),
    ]);
    expect(r1.gap).toBe(false);
    expect(r1.applied.map((e) => e.seq)).toEqual([14, 17]);
    expect(d.seq).toBe(17);
    expect(d.pending.size).toBe(0);
    expect(d.incidents.get('a')?.version).toBe(2);
    // A reconnect resends from the last seq seen: nothing twice.
    const r2 = applyBatch(d, [ev(17, { type: 'incident.created', data: b })]);
    expect(r2).toMatchObject({ applied: [], duplicates: 1, gap: false });
  });

  it('drops an incident that left its scope (dispatched elsewhere)', () => {
    const d = departmentFeed();
    const r = applyBatch(d, [
      ev(12, { type: 'incident.updated', data: incident('a', { version: 2, departmentId: 'dept-swj' }) }),
    ]);
    expect(r.changes.incidents).toBe(true);
    expect(d.incidents.has('a')).toBe(false);
    expect(d.seq).toBe(12);
  });

  it('an unscoped feed still waits for the missing seqs', () => {
    const d = fromSnapshot(snapshot({ seq: 10 }));
    const r = applyBatch(d, [ev(12, { type: 'incident.created', data: incident('x', { version: 1 }) })]);
    expect(r.gap).toBe(true);
    expect(d.seq).toBe(10);
  });
});
