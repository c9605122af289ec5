import { describe, expect, it } from 'vitest';
import { pointInRing, ringArea, type Pt } from './geometry.ts';
import { mulberry32 } from '../../shared/random.ts';
import { clipRing, voronoiCells } from './voronoi.ts';

const area = (pieces: Pt[][]) => pieces.reduce((a, r) => a + Math.abs(ringArea(r)), 0);

// A U: two prongs joined at the bottom. Cutting above the join must give two separate rings.
const U: Pt[] = [
  [0, 0],
  [3, 0],
  [3, 3],
  [2, 3],
  [2, 1],
  [1, 1],
  [1, 3],
  [0, 3],
];

describe('clipRing', () => {
  it('keeps the side a·x + b·y <= c', () => {
    const pieces = clipRing(U, { a: 0, b: 1, c: 0.5 });
    expect(pieces).toHaveLength(1);
    expect(area(pieces)).toBeCloseTo(1.5);
  });

  it('splits a concave ring into separate pieces instead of bridging them', () => {
    const pieces = clipRing(U, { a: 0, b: -1, c: -2 });
    expect(pieces).toHaveLength(2);
    expect(area(pieces)).toBeCloseTo(2);
    expect(pieces.every((p) => Math.abs(ringArea(p)) > 0.99)).toBe(true);
  });

  it('returns the whole ring or nothing when the line misses it', () => {
    expect(clipRing(U, { a: 1, b: 0, c: 10 })).toEqual([U]);
    expect(clipRing(U, { a: 1, b: 0, c: -10 })).toEqual([]);
  });
});

describe('voronoiCells', () => {
  it('partitions a concave parent: areas add up and each site lies in its own cell', () => {
    const rand = mulberry32(7);
    const sites: Pt[] = [];
    while (sites.length < 25) {
      const p: Pt = [rand() * 3, rand() * 3];
      if (pointInRing(p[0], p[1], U)) sites.push(p);
    }
    const cells = voronoiCells([U], sites);
    const total = cells.reduce((a, c) => a + area(c), 0);
    expect(total).toBeCloseTo(Math.abs(ringArea(U)), 9);
    cells.forEach((cell, i) => expect(cell.some((r) => pointInRing(sites[i][0], sites[i][1], r))).toBe(true));
  });
});
