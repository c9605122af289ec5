/**
 * Early warnings as map data, pure (unit tested in warnings-geojson.test.ts): the four colours, a
 * feature per CAP area with a shape, and the bounds to frame one.
 */
import type { Warning, WarningColour } from '../../../../shared/warning.ts';

/** The four colours of China's warning signals (蓝/黄/橙/红), readable on the dark map. */
export const WARNING_COLOURS: Record<WarningColour, string> = {
  blue: '#3d8bff',
  yellow: '#f5d000',
  orange: '#ff8c1a',
  red: '#ff2d2d',
};
const RANK: Record<WarningColour, number> = { blue: 0, yellow: 1, orange: 2, red: 3 };

export const WARNINGS_SOURCE = 'pz-warnings';
export const WARNING_LAYERS = {
  fill: 'pz-warnings-fill',
  line: 'pz-warnings-line',
  drillLine: 'pz-warnings-line-drill',
  label: 'pz-warnings-label',
} as const;
export interface WarningFeatureProps {
  id: string;
  colour: WarningColour;
  /** 1 for an `Exercise` (drill) warning: dashed, labelled 演练. */
  drill: number;
  /** The drawn label: the event, prefixed 演练/Drill for a drill. */
  label: string;
  rank: number;
}

/**
 * A feature per CAP area that has a shape (geocode-only areas draw nothing), least severe first
 * so red is drawn over yellow where areas overlap. The server already gives GeoJSON `[lng, lat]`.
 */
export function warningsGeoJSON(
  warnings: readonly Warning[],
  drillLabel: string,
): GeoJSON.FeatureCollection<GeoJSON.Polygon, WarningFeatureProps> {
  const sorted = [...warnings].sort((a, b) => RANK[a.colour] - RANK[b.colour]);
  const features: GeoJSON.Feature<GeoJSON.Polygon, WarningFeatureProps>[] = [];
  for (const w of sorted) {
    const drill = w.routing === 'drill';
    for (const f of w.area.features) {
      if (!f.geometry) continue;
      // A feature per polygon: an area given as a polygon and an overlapping circle is one
      // MultiPolygon, and MapLibre would draw (and hit-test) where they overlap as a hole.
      const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
      for (const coordinates of polys) {
        features.push({
          type: 'Feature',
          geometry: { type: 'Polygon', coordinates },
          properties: {
            id: w.id,
            colour: w.colour,
            drill: drill ? 1 : 0,
            label: drill ? `${drillLabel} · ${w.event}` : w.event,
            rank: RANK[w.colour],
          },
        });
      }
    }
  }
  return { type: 'FeatureCollection', features };
}

/** `[west, south, east, north]` of a warning's shapes; null when it has none. */
export function warningBounds(w: Warning): [number, number, number, number] | null {
  let west = Infinity;
  let south = Infinity;
  let east = -Infinity;
  let north = -Infinity;
  for (const f of w.area.features) {
    if (!f.geometry) continue;
    const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const poly of polys)
      for (const ring of poly)
        for (const [lng, lat] of ring) {
          west = Math.min(west, lng);
          east = Math.max(east, lng);
          south = Math.min(south, lat);
          north = Math.max(north, lat);
        }
  }
  return west === Infinity ? null : [west, south, east, north];
}
