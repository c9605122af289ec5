import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../shared/protocol.ts';
import { EventRing } from './event-ring.ts';

const ev = (seq: number) =>
  ({ seq, type: 'mode.changed', at: '', data: { id: 'mode' } }) as unknown as LiveEvent;

describe('EventRing', () => {
  it('serves slices by seq and forgets beyond capacity', () => {
    const r = new EventRing(5, 10);
    expect(r.slice(10)).toEqual([]);
    for (let s = 11; s <= 20; s++) r.push(ev(s));
    expect(r.floor).toBe(15);
    expect(r.slice(14)).toBeNull();
    expect(r.slice(15)!.map((e) => e.seq)).toEqual([16, 17, 18, 19, 20]);
    expect(r.slice(17, 19)!.map((e) => e.seq)).toEqual([18, 19]);
    expect(r.slice(20)).toEqual([]);
  });
  it('ignores repeats and survives many pushes', () => {
    const r = new EventRing(100, 0);
    for (let s = 1; s <= 10_000; s++) {
      r.push(ev(s));
      r.push(ev(s));
    }
    expect(r.size).toBe(100);
    expect(r.slice(9_950)!.length).toBe(50);
  });
});
