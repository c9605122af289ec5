import { describe, expect, it } from 'vitest';
import type { Incident, LiveEvent } from '../../../../shared/index.ts';
import { codePointLength, isWellFormed } from '../../../../shared/text.ts';
import { ev, incident, operation, resource, snapshot, T0, videoAlert } from '../testing/fixtures.ts';
import { applyBatch, fromSnapshot } from './apply-events.ts';
import { pushTicker, TICKER_MAX, tickerEntry } from './ticker.ts';

describe('ticker lines', () => {
  it('cuts a long field report by code point, never inside an emoji', () => {
    const text = '🚒'.repeat(200);
    const e = {
      seq: 1,
      type: 'report.created',
      at: new Date(0).toISOString(),
      data: { id: 'RPT-1', incidentId: 'INC-1', text, actor: 'liaison', at: new Date(0).toISOString() },
    } as LiveEvent;
    const line = tickerEntry(e, { incidents: new Map(), resources: new Map() })!;
    expect(isWellFormed(line.title)).toBe(true);
    expect(codePointLength(line.title)).toBe(120);
    expect(line.title.endsWith('🚒…')).toBe(true);
  });
});

describe('ticker lines, protocol v2', () => {
  it('an updated incident says what the update did (lastAction), a v1 one its last history entry', () => {
    const d = fromSnapshot(snapshot());
    const merged = ev(1, {
      type: 'incident.updated',
      data: incident('i1', { version: 2, lastAction: { at: T0, action: 'merged', ref: 'INC-2' } }),
    });
    expect(tickerEntry(merged, d)?.subtype).toBe('merged');
    const { lastAction: _drop, ...rest } = incident('i1', { status: 'verified', version: 3 });
    const v1 = ev(2, {
      type: 'incident.updated',
      data: {
        ...rest,
        history: [
          { at: T0, action: 'accepted' },
          { at: T0, action: 'verified' },
        ],
      } as unknown as Incident,
    });
    expect(tickerEntry(v1, d)).toMatchObject({ subtype: 'verified', title: 'Incident i1' });
  });

  it('names what an archive event removed, from its last copy', () => {
    const d = fromSnapshot(
      snapshot({
        incidents: [incident('i1', { title: '万寿路火情', address: '万寿路 1 号' })],
        videoAlerts: [videoAlert('a1')],
        operations: [operation('o1', { incidentId: 'i1' })],
      }),
    );
    const events = [
      ev(1, { type: 'operation.archived', data: { id: 'o1' } }),
      ev(2, { type: 'video_alert.archived', data: { id: 'a1' } }),
      ev(3, { type: 'incident.archived', data: { id: 'i1' } }),
      ev(4, { type: 'incident.archived', data: { id: 'never-seen' } }),
    ];
    applyBatch(d, events);
    expect(tickerEntry(events[0], d)).toMatchObject({
      title: '燃气泄漏处置',
      ref: { kind: 'incident', id: 'i1' },
    });
    expect(tickerEntry(events[1], d)).toMatchObject({ title: '万寿路口 1号', ref: null });
    expect(tickerEntry(events[2], d)).toMatchObject({
      title: '万寿路火情',
      place: '万寿路 1 号',
      severity: null,
      ref: { kind: 'incident', id: 'i1' },
    });
    expect(tickerEntry(events[3], d)).toMatchObject({ title: 'never-seen', ref: null });
  });

  it('folds an archive sweep into one line, so it cannot push the live lines off the wall', () => {
    const incs = Array.from({ length: 300 }, (_, k) => incident(`i${k}`, { status: 'closed' }));
    const d = fromSnapshot(snapshot({ incidents: incs }));
    const live = [
      ev(1, { type: 'incident.created', data: incident('new1') }),
      ev(2, { type: 'incident.created', data: incident('new2') }),
    ];
    applyBatch(d, live);
    let list = pushTicker([], live, d);
    const sweep = incs.map((x, k) => ev(3 + k, { type: 'incident.archived', data: { id: x.id } }));
    // one resource movement in the middle of the sweep (not shown) does not split the line
    sweep.splice(150, 0, ev(1000, { type: 'resource.updated', data: resource('r1') }));
    const alerts = [ev(2000, { type: 'video_alert.archived', data: { id: 'x' } })];
    applyBatch(d, [...sweep, ...alerts]);
    list = pushTicker(list, [...sweep, ...alerts], d);
    expect(list.map((e) => [e.type, e.count ?? 1])).toEqual([
      ['video_alert.archived', 1],
      ['incident.archived', 300],
      ['incident.created', 1],
      ['incident.created', 1],
    ]);
    expect(list.length).toBeLessThanOrEqual(TICKER_MAX);
  });
});
