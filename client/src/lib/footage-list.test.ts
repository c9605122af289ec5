import { describe, expect, it } from 'vitest';
import type { FootageRequest } from '../../../shared/footage.ts';
import { mergeFootage, thisMonth } from './footage-list.ts';

const r = (id: string, requestedAt: string, version = 1, status: FootageRequest['status'] = 'requested') =>
  ({
    id,
    cameraIds: ['CAM-0001'],
    from: '2026-11-01T00:00:00.000Z',
    to: '2026-11-01T01:00:00.000Z',
    requester: 'x',
    caseRef: 'y',
    reason: 'z',
    status,
    requestedBy: 'duty',
    requestedAt,
    version,
  }) satisfies FootageRequest;

describe('the footage list as events arrive', () => {
  const period = thisMonth(Date.parse('2026-12-01T03:00:00Z'));

  it("this month is Shanghai's, whatever the browser's zone", () => {
    expect(period).toEqual({ from: '2026-12-01T00:00:00+08:00', to: '2027-01-01T00:00:00+08:00' });
    // 23:30 UTC on 30 Nov is already December in Beijing
    expect(thisMonth(Date.parse('2026-11-30T23:30:00Z')).from).toBe('2026-12-01T00:00:00+08:00');
  });

  it('takes a request made in the period, newest first; one made outside it is left out', () => {
    const a = r('a', '2026-12-01T01:00:00.000Z');
    const b = r('b', '2026-12-02T01:00:00.000Z');
    const one = mergeFootage([], a, period)!;
    expect(mergeFootage(one, b, period)!.map((x) => x.id)).toEqual(['b', 'a']);
    expect(mergeFootage(one, r('old', '2026-11-30T15:59:59.000Z'), period)).toBeNull();
    // the period's start is in, its end is out
    expect(mergeFootage([], r('start', '2026-11-30T16:00:00.000Z'), period)).not.toBeNull();
    expect(mergeFootage([], r('end', '2026-12-31T16:00:00.000Z'), period)).toBeNull();
  });

  it('a newer version replaces the old one; an older one arriving late changes nothing', () => {
    const a1 = r('a', '2026-12-01T01:00:00.000Z');
    const a3 = r('a', '2026-12-01T01:00:00.000Z', 3, 'completed');
    const list = mergeFootage([a1], a3, period)!;
    expect(list).toEqual([a3]);
    expect(mergeFootage(list, r('a', '2026-12-01T01:00:00.000Z', 2, 'approved'), period)).toBeNull();
  });
});
