import { describe, expect, it } from 'vitest';
import type { Incident, LiveEvent } from '../../../../shared/index.ts';
import { pushTicker } from '../live/ticker.ts';
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

describe('replay timeline over the record of two protocols', () => {
  it('plays v1 events (history, no lastAction) and v2 ones (lastAction, archived) alike, both ways', () => {
    const v1 = (id: string, version: number, actions: string[]): Incident => {
      const { lastAction: _drop, ...rest } = incident(id, { version });
      return { ...rest, history: actions.map((action) => ({ at: at(0), action })) } as unknown as Incident;
    };
    const events: LiveEvent[] = [
      ev(2, { type: 'incident.updated', at: at(1), data: v1('i1', 2, ['accepted', 'merged']) }),
      ev(3, {
        type: 'incident.updated',
        at: at(2),
        data: incident('i1', { version: 3, status: 'closed', lastAction: { at: at(2), action: 'closed' } }),
      }),
      ev(4, { type: 'incident.archived', at: at(3), data: { id: 'i1' } }),
    ];
    const tl = new Timeline(
      snapshot({ seq: 1, incidents: [v1('i1', 1, ['accepted'])] }),
      events,
      at(0),
      at(4),
    );
    expect(tl.seek(FROM).data.incidents.get('i1')?.lastAction.action).toBe('accepted');
    let p = tl.seek(FROM + 1000);
    expect(p.data.incidents.get('i1')?.lastAction.action).toBe('merged');
    expect(pushTicker([], p.applied, p.data)[0]).toMatchObject({ subtype: 'merged' });
    p = tl.seek(FROM + 3000);
    expect(p.data.incidents.has('i1')).toBe(false);
    const lines = pushTicker([], p.applied, p.data);
    expect(lines.map((l) => l.type)).toEqual(['incident.archived', 'incident.updated']);
    expect(lines[0].title).toBe('Incident i1');
    p = tl.seek(FROM + 1500);
    expect(p.rebuilt).toBe(true);
    expect(p.data.incidents.get('i1')).toMatchObject({ version: 2, lastAction: { action: 'merged' } });
  });
});
