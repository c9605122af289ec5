import { describe, expect, it } from 'vitest';
import { distanceM } from '../../shared/common.ts';
import type { GridFeature } from '../../shared/grid.ts';
import { bbox, jitter, lerp, offsetMeters, pointInGeometry, randomPointIn } from './geo.ts';
import { Rng } from './prng.ts';

type Geometry = GridFeature['geometry'];
const ring = (x: number, y: number, d: number): [number, number][] => [
  [x, y],
  [x + d, y],
  [x + d, y + d],
  [x, y + d],
  [x, y],
];
const withHole: Geometry = { type: 'Polygon', coordinates: [ring(0, 0, 10), ring(4, 4, 2)] };
const two: Geometry = { type: 'MultiPolygon', coordinates: [[ring(0, 0, 1)], [ring(5, 5, 1)]] };
// An L shape: its bounding box is half empty, which rejection sampling must handle.
const ell: Geometry = {
  type: 'Polygon',
  coordinates: [
    [
      [0, 0],
      [2, 0],
      [2, 1],
      [1, 1],
      [1, 2],
      [0, 2],
      [0, 0],
    ],
  ],
};

describe('point in polygon', () => {
  it('knows inside, outside and holes', () => {
    expect(pointInGeometry({ lng: 1, lat: 1 }, withHole)).toBe(true);
    expect(pointInGeometry({ lng: 5, lat: 5 }, withHole)).toBe(false);
    expect(pointInGeometry({ lng: 11, lat: 5 }, withHole)).toBe(false);
  });

  it('handles multipolygons', () => {
    expect(pointInGeometry({ lng: 0.5, lat: 0.5 }, two)).toBe(true);
    expect(pointInGeometry({ lng: 5.5, lat: 5.5 }, two)).toBe(true);
    expect(pointInGeometry({ lng: 3, lat: 3 }, two)).toBe(false);
  });

  it('handles concave shapes', () => {
    expect(pointInGeometry({ lng: 1.5, lat: 1.5 }, ell)).toBe(false);
    expect(pointInGeometry({ lng: 0.5, lat: 1.5 }, ell)).toBe(true);
  });
});

describe('sampling', () => {
  it('puts every random point inside the shape', () => {
    const r = new Rng(11);
    for (const g of [withHole, two, ell]) {
      const box = bbox(g);
      for (let i = 0; i < 500; i++) expect(pointInGeometry(randomPointIn(g, r, box), g)).toBe(true);
    }
  });

  it('offsets by metres and jitters within the radius', () => {
    const p = { lng: 116.3, lat: 39.9 };
    expect(distanceM(p, offsetMeters(p, 300, 400))).toBeGreaterThan(495);
    expect(distanceM(p, offsetMeters(p, 300, 400))).toBeLessThan(505);
    const r = new Rng(2);
    for (let i = 0; i < 200; i++) expect(distanceM(p, jitter(p, 100, r))).toBeLessThanOrEqual(100.5);
  });

  it('interpolates and clamps', () => {
    const a = { lng: 0, lat: 0 };
    const b = { lng: 1, lat: 2 };
    expect(lerp(a, b, 0.5)).toEqual({ lng: 0.5, lat: 1 });
    expect(lerp(a, b, 2)).toEqual(b);
  });
});
