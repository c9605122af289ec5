import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../../../shared/index.ts';
import { applyBatch, fromSnapshot } from '../live/apply-events.ts';
import { ev, incident, resource, rng, snapshot } from '../testing/fixtures.ts';
import { advance, operationWindow, Timeline } from './timeline.ts';

const FROM = Date.parse('2024-06-01T08:00:00Z');
const at = (s: number) => new Date(FROM + s * 1000).toISOString();

/** One event a second; several share a moment now and then, as a commit's events do. */
function log(n: number): LiveEvent[] {
  const out: LiveEvent[] = [];
  for (let seq = 1; seq <= n; seq++) {
    const t = at(Math.ceil(seq / 2));
    out.push(
      seq % 3
        ? ev(seq, { type: 'incident.created', at: t, data: incident(`i${seq}`, { version: 1 }) })
        : ev(seq, { type: 'resource.updated', at: t, data: resource('r1', { version: seq }) }),
    );
  }
  return out;
}

function stateAfter(events: LiveEvent[]) {
  const d = fromSnapshot(snapshot());
  applyBatch(d, events);
  return d;
}

describe('replay timeline', () => {
  it('at any moment, forwards or back, is the initial state plus the events up to it', () => {
    const events = log(40);
    const tl = new Timeline(snapshot(), events, at(0), at(30));
    const r = rng(7);
    for (let i = 0; i < 200; i++) {
      const t = FROM + Math.floor(r() * 31_000);
      const p = tl.seek(t);
      const upTo = events.filter((e) => Date.parse(e.at) <= t);
      expect(tl.applied).toBe(upTo.length);
      const want = stateAfter(upTo);
      expect(p.data.seq).toBe(want.seq);
      expect([...p.data.incidents.keys()].sort()).toEqual([...want.incidents.keys()].sort());
      expect(p.data.resources.get('r1')).toEqual(want.resources.get('r1'));
    }
  });

  it('moving forwards applies only the events passed; moving back rebuilds', () => {
    const events = log(10);
    const tl = new Timeline(snapshot(), events, at(0), at(10));
    expect(tl.seek(FROM + 1000).applied.map((e) => e.seq)).toEqual([1, 2]);
    const fwd = tl.seek(FROM + 2000);
    expect(fwd.applied.map((e) => e.seq)).toEqual([3, 4]);
    expect(fwd.rebuilt).toBe(false);
    const back = tl.seek(FROM + 1000);
    expect(back.rebuilt).toBe(true);
    expect(back.applied.map((e) => e.seq)).toEqual([1, 2]);
    expect(back.data.incidents.has('i4')).toBe(false);
  });

  it('plays at the chosen speed and stops at the end', () => {
    expect(advance(FROM, 100, 60, FROM + 60_000)).toBe(FROM + 6000);
    expect(advance(FROM, 100, 1, FROM + 60_000)).toBe(FROM + 100);
    expect(advance(FROM + 59_000, 100, 60, FROM + 60_000)).toBe(FROM + 60_000);
  });

  it("an operation's window runs from before its activation to after its stand-down, never past now", () => {
    const op = { activatedAt: at(600), stoodDownAt: at(1200) };
    expect(operationWindow(op, FROM + 3600_000)).toEqual({ from: at(480), to: at(1260) });
    expect(operationWindow(op, FROM + 1230_000).to).toBe(at(1230));
    expect(operationWindow({ activatedAt: at(600), stoodDownAt: null }, FROM + 900_000).to).toBe(at(900));
  });
});
