import { describe, expect, it } from 'vitest';
import type { MultiPolygon, Polygon } from 'geojson';
import { geometryArea, geometryBBox, pointInGeometry } from './geometry.ts';

const square = (x: number, y: number, s: number) => [
  [x, y],
  [x + s, y],
  [x + s, y + s],
  [x, y + s],
  [x, y],
];

describe('pointInGeometry', () => {
  const withHole: Polygon = { type: 'Polygon', coordinates: [square(0, 0, 10), square(4, 4, 2)] };
  const multi: MultiPolygon = { type: 'MultiPolygon', coordinates: [[square(0, 0, 1)], [square(5, 5, 1)]] };

  it('honours holes', () => {
    expect(pointInGeometry(1, 1, withHole)).toBe(true);
    expect(pointInGeometry(5, 5, withHole)).toBe(false);
    expect(pointInGeometry(11, 5, withHole)).toBe(false);
  });

  it('finds a point in any part of a MultiPolygon', () => {
    expect(pointInGeometry(0.5, 0.5, multi)).toBe(true);
    expect(pointInGeometry(5.5, 5.5, multi)).toBe(true);
    expect(pointInGeometry(3, 3, multi)).toBe(false);
  });

  it('measures bbox and area net of holes', () => {
    expect(geometryBBox(withHole)).toEqual([0, 0, 10, 10]);
    expect(geometryArea(withHole)).toBe(96);
    expect(geometryArea(multi)).toBe(2);
  });
});
