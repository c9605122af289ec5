import type { MultiPolygon, Polygon, Position } from 'geojson';

/** A planar point [x, y]; for geographic data x = lng, y = lat. */
export type Pt = [number, number];
export type BBox = [minX: number, minY: number, maxX: number, maxY: number];
export type Areal = Polygon | MultiPolygon;

/**
 * Even-odd ray casting. Works on closed (GeoJSON) and open rings alike: a closing edge of zero
 * length never crosses the ray.
 */
export function pointInRing(x: number, y: number, ring: readonly Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xi = ring[i][0];
    const yi = ring[i][1];
    const xj = ring[j][0];
    const yj = ring[j][1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Inside the outer ring and inside none of the holes. */
export function pointInPolygonRings(x: number, y: number, rings: readonly (readonly Position[])[]): boolean {
  if (rings.length === 0 || !pointInRing(x, y, rings[0])) return false;
  for (let h = 1; h < rings.length; h++) if (pointInRing(x, y, rings[h])) return false;
  return true;
}

export function pointInGeometry(x: number, y: number, g: Areal): boolean {
  if (g.type === 'Polygon') return pointInPolygonRings(x, y, g.coordinates);
  return g.coordinates.some((poly) => pointInPolygonRings(x, y, poly));
}

export function geometryBBox(g: Areal): BBox {
  const b: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  // Outer rings suffice: holes lie inside them.
  for (const poly of polys) {
    for (const [x, y] of poly[0]) {
      if (x < b[0]) b[0] = x;
      if (y < b[1]) b[1] = y;
      if (x > b[2]) b[2] = x;
      if (y > b[3]) b[3] = y;
    }
  }
  return b;
}

/** Signed shoelace area; positive for counter-clockwise rings. */
export function ringArea(ring: readonly Position[]): number {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    a += ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
  }
  return a / 2;
}

/** Unsigned area in the geometry's own units (square degrees for lng/lat). */
export function geometryArea(g: Areal): number {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  let a = 0;
  for (const poly of polys) {
    a += Math.abs(ringArea(poly[0]));
    for (let h = 1; h < poly.length; h++) a -= Math.abs(ringArea(poly[h]));
  }
  return a;
}
