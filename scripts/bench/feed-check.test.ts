import { describe, expect, it } from 'vitest';
import { FeedCheck, benchExternalId, frameInfo, postTimeOf, type WireEvent } from './feed-check.ts';
import { Histogram } from './histogram.ts';

const ev = (seq: number, externalId?: string): WireEvent => ({
  seq,
  type: 'incident.created',
  data: externalId ? { externalId } : {},
});

describe('FeedCheck', () => {
  it('counts a clean feed and the latency of tagged events', () => {
    const h = new Histogram();
    const c = new FeedCheck();
    const f1 = [ev(1, benchExternalId('s1-', 1, 1000.5)), ev(2, 'other-1')];
    const f2 = [ev(3, benchExternalId('s1-', 2, 1001))];
    c.onFrame(f1, frameInfo(f1, 's1-'), 1010.5, h);
    c.onFrame(f2, frameInfo(f2, 's1-'), 1011, h);
    expect(c.summary()).toMatchObject({ received: 3, tagged: 2, duplicates: 0, gaps: 0 });
    expect(h.n).toBe(2);
    expect(h.max).toBeCloseTo(10, 5);
  });

  it('sees duplicates and gaps', () => {
    const h = new Histogram();
    const c = new FeedCheck();
    const frames = [[ev(1), ev(2)], [ev(2), ev(3)], [ev(6)], [ev(7), ev(9)]];
    for (const f of frames) c.onFrame(f, frameInfo(f, 'x'), 0, h);
    expect(c.summary()).toMatchObject({ received: 6, duplicates: 1, gaps: 2, missing: 3 });
  });

  it('reads the post time back from an externalId', () => {
    expect(postTimeOf(benchExternalId('b7-s2-', 12, 1_700_000_000_123.456))).toBeCloseTo(
      1_700_000_000_123.456,
      3,
    );
  });
});
