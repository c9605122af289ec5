import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';
import { destination } from '../../shared/common.ts';
import type { CapArea, CapCircle, CapPoint } from './cap-model.ts';

/**
 * CAP areas as GeoJSON. CAP writes points `lat,lon`; GeoJSON positions are `[lng, lat]`: this is
 * the one place that swaps them. Circles become 64-gons (geodesic, on the mean Earth sphere);
 * rings are wound counter-clockwise as RFC 7946 asks (CAP does not say which way a polygon runs).
 * A circle of radius 0 is a point, not an area, and draws nothing. Areas crossing the
 * antimeridian are not split (none reaches China).
 */

export const CIRCLE_SEGMENTS = 64;

const position = (p: CapPoint): Position => [p.lon, p.lat];

/** Twice the signed area in degrees² (> 0: counter-clockwise in lng/lat). */
function signedArea(ring: Position[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return sum;
}

function ccw(ring: Position[]): Position[] {
  return signedArea(ring) < 0 ? [...ring].reverse() : ring;
}

/** The ring of points `radiusKm` from the centre, closed (65 positions). */
export function circleRing(circle: CapCircle, segments = CIRCLE_SEGMENTS): Position[] {
  const center = { lng: circle.center.lon, lat: circle.center.lat };
  const ring: Position[] = [];
  for (let i = 0; i < segments; i++) {
    // Bearings counter-clockwise from east, so the ring is already wound the GeoJSON way.
    const bearing = Math.PI / 2 - (2 * Math.PI * i) / segments;
    const p = destination(center, circle.radiusKm * 1000, bearing);
    ring.push([round(p.lng), round(p.lat)]);
  }
  ring.push(ring[0]);
  return ring;
}

/** Seven decimals: about a centimetre, and no float noise in the JSON. */
const round = (x: number) => Math.round(x * 1e7) / 1e7;

/** The rings an area covers: its polygons, then its circles. */
export function areaRings(area: CapArea): Position[][] {
  return [
    ...area.polygons.map((p) => ccw(p.map(position))),
    ...area.circles.filter((c) => c.radiusKm > 0).map((c) => circleRing(c)),
  ];
}

/** One shape → Polygon; several → MultiPolygon; none (geocodes only, or a point) → null. */
export function areaToGeoJSON(area: CapArea): Polygon | MultiPolygon | null {
  const rings = areaRings(area);
  if (rings.length === 0) return null;
  if (rings.length === 1) return { type: 'Polygon', coordinates: [rings[0]] };
  return { type: 'MultiPolygon', coordinates: rings.map((r) => [r]) };
}

/** Several areas (an info's) as one collection, a feature per area named by its `areaDesc`. */
export function areasToGeoJSON(areas: readonly CapArea[]): FeatureCollection<Polygon | MultiPolygon | null> {
  return {
    type: 'FeatureCollection',
    features: areas.map((area): Feature<Polygon | MultiPolygon | null> => ({
      type: 'Feature',
      geometry: areaToGeoJSON(area),
      properties: { areaDesc: area.areaDesc },
    })),
  };
}
