import { destination, type LngLat } from '../../shared/common.ts';
import type { GridFeature } from '../../shared/grid.ts';
import type { Rng } from './prng.ts';

type Ring = number[][];
type Geometry = GridFeature['geometry'];

/** Ray casting; points exactly on an edge may fall either way, which sampling does not mind. */
export function pointInRing(lng: number, lat: number, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** GeoJSON semantics: inside the outer ring and outside every hole, of any one polygon. */
export function pointInGeometry(p: LngLat, g: Geometry): boolean {
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return polygons.some(
    (rings) =>
      pointInRing(p.lng, p.lat, rings[0]) && !rings.slice(1).some((hole) => pointInRing(p.lng, p.lat, hole)),
  );
}

export type BBox = { minLng: number; minLat: number; maxLng: number; maxLat: number };

export function bbox(g: Geometry): BBox {
  const b = { minLng: Infinity, minLat: Infinity, maxLng: -Infinity, maxLat: -Infinity };
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const [x, y] of polygons.flatMap((rings) => rings[0])) {
    b.minLng = Math.min(b.minLng, x);
    b.maxLng = Math.max(b.maxLng, x);
    b.minLat = Math.min(b.minLat, y);
    b.maxLat = Math.max(b.maxLat, y);
  }
  return b;
}

/**
 * A uniform random point inside the geometry by rejection sampling from its bounding box.
 * Communities are compact, so a few tries suffice; the cap only guards against a degenerate
 * polygon, in which case we fall back to a vertex (still on the community's outline).
 */
export function randomPointIn(g: Geometry, rng: Rng, box: BBox = bbox(g), maxTries = 200): LngLat {
  for (let i = 0; i < maxTries; i++) {
    const p = { lng: rng.range(box.minLng, box.maxLng), lat: rng.range(box.minLat, box.maxLat) };
    if (pointInGeometry(p, g)) return round(p);
  }
  const ring = g.type === 'Polygon' ? g.coordinates[0] : g.coordinates[0][0];
  return round({ lng: ring[0][0], lat: ring[0][1] });
}

/** Moves a point by metres east/north, on the sphere `distanceM` measures on. */
export function offsetMeters(p: LngLat, east: number, north: number): LngLat {
  return round(destination(p, Math.hypot(east, north), Math.atan2(east, north)));
}

/** A random point within `radiusM` of p, uniform over the disc. */
export function jitter(p: LngLat, radiusM: number, rng: Rng): LngLat {
  const r = radiusM * Math.sqrt(rng.next());
  const a = rng.range(0, 2 * Math.PI);
  return offsetMeters(p, r * Math.cos(a), r * Math.sin(a));
}

/** Linear interpolation between two points; t in [0, 1]. */
export function lerp(a: LngLat, b: LngLat, t: number): LngLat {
  const k = Math.max(0, Math.min(1, t));
  return round({ lng: a.lng + (b.lng - a.lng) * k, lat: a.lat + (b.lat - a.lat) * k });
}

/** Six decimals is about 10 cm: enough, and keeps bodies and snapshots tidy. */
function round(p: LngLat): LngLat {
  return { lng: Math.round(p.lng * 1e6) / 1e6, lat: Math.round(p.lat * 1e6) / 1e6 };
}
