import { describe, expect, it } from 'vitest';
import { frigateTopicOf, parseFrigate } from './frigate.ts';
import { fixture, frigateMessage, withoutJsonComments } from './fixtures/variants.ts';

const opts = { receivedAt: 0 };

describe('Frigate events and reviews (published docs)', () => {
  it('the documented examples are not JSON as published: a clear problem, no throw', () => {
    for (const f of ['frigate-docs-events-update.jsonc.txt', 'frigate-docs-reviews-update.jsonc.txt']) {
      const r = parseFrigate(fixture(f), opts);
      expect(r).toMatchObject({ ok: false, problems: [{ path: '', message: /^not JSON/ }] });
    }
  });

  it('reads the documented frigate/events update (comments removed)', () => {
    const text = withoutJsonComments(fixture('frigate-docs-events-update.jsonc.txt').toString());
    const r = parseFrigate(text, { ...opts, topic: 'events' });
    expect(r).toEqual({
      ok: true,
      events: [
        {
          vendor: 'frigate',
          device: { frigate: { camera: 'front_door' } },
          kind: 'alarm',
          vendorType: 'person',
          active: true,
          eventId: 'event:1607123955.475377-mxklsc',
          observedAt: new Date(1607123955475.377).toISOString(),
          confidence: 0.958984375,
          labels: ['person'],
        },
      ],
    });
  });

  it('reads the documented frigate/reviews update, by topic or by shape', () => {
    const text = withoutJsonComments(fixture('frigate-docs-reviews-update.jsonc.txt').toString());
    for (const topic of ['reviews' as const, undefined]) {
      const r = parseFrigate(text, { ...opts, topic });
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      expect(r.events[0]).toMatchObject({
        device: { frigate: { camera: 'front_cam' } },
        vendorType: 'alert',
        active: true,
        eventId: 'review:1718987129.308396-fqk5ka',
        labels: ['person', 'car'],
      });
    }
  });

  it('end is inactive; an object, bytes or a string all parse', () => {
    const end = frigateMessage('events', 'end');
    for (const input of [end, JSON.stringify(end), new TextEncoder().encode(JSON.stringify(end))]) {
      const r = parseFrigate(input, opts);
      expect(r.ok && r.events[0].active).toBe(false);
    }
    const r = parseFrigate(frigateMessage('reviews', 'end'), opts);
    expect(r.ok && r.events[0].active).toBe(false);
  });

  it('a false positive is no event', () => {
    const m = frigateMessage('events', 'new');
    (m.after as Record<string, unknown>).false_positive = true;
    expect(parseFrigate(m, opts)).toEqual({ ok: true, events: [] });
  });

  it('names every problem with its path', () => {
    const m = frigateMessage('events', 'new') as { type: string; after: Record<string, unknown> };
    m.type = 'created';
    expect(parseFrigate(m, opts)).toMatchObject({ ok: false, problems: [{ path: 'type' }] });
    const n = frigateMessage('events', 'new') as { after: Record<string, unknown> };
    delete n.after.camera;
    n.after.top_score = 7;
    n.after.label = 'per\u0000son';
    const r = parseFrigate(n, { ...opts, topic: 'events' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.path).sort()).toEqual(['after.camera', 'after.top_score']);
    const bad = frigateMessage('events', 'new') as { after: Record<string, unknown> };
    bad.after.label = 'per\u0000son';
    expect(parseFrigate(bad, opts)).toMatchObject({
      ok: false,
      problems: [{ path: 'after.label', message: /control/ }],
    });
    expect(parseFrigate('x'.repeat(300_000), opts)).toMatchObject({
      ok: false,
      problems: [{ message: /too large/ }],
    });
    expect(parseFrigate(new Uint8Array([0xff, 0xfe, 0x00]), opts)).toMatchObject({
      ok: false,
      problems: [{ message: /UTF-8/ }],
    });
    expect(parseFrigate(null, opts).ok).toBe(false);
  });

  it('knows the topics under any prefix', () => {
    expect(frigateTopicOf('frigate/events')).toBe('events');
    expect(frigateTopicOf('site1/reviews')).toBe('reviews');
    expect(frigateTopicOf('frigate/stats')).toBeNull();
  });
});
