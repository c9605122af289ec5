import type { Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { distanceM } from '../../shared/common.ts';
import { areasToGeoJSON, areaToGeoJSON, CIRCLE_SEGMENTS } from './cap-geo.ts';
import { parseCap } from './cap-parse.ts';
import type { CapArea } from './cap-model.ts';
import { fixture } from './fixtures/broken-variants.ts';

const areasOf = (name: string): CapArea[] => {
  const r = parseCap(fixture(name));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.alert.infos[0].areas;
};
const twiceSignedArea = (ring: Position[]) =>
  ring.slice(1).reduce((s, p, i) => s + ring[i][0] * p[1] - p[0] * ring[i][1], 0);

describe('CAP areas as GeoJSON', () => {
  it('swaps CAP’s lat,lon into GeoJSON’s [lng, lat]', () => {
    const [storm] = areasOf('spec12-a2.xml'); // California: lat 38, lon -120
    const g = areaToGeoJSON(storm) as Polygon;
    expect(g.type).toBe('Polygon');
    for (const [lng, lat] of g.coordinates[0]) {
      expect(lng).toBeCloseTo(-120, -1);
      expect(lat).toBeCloseTo(38.5, 0);
    }
    expect(g.coordinates[0]).toHaveLength(5);
    expect(g.coordinates[0][0]).toEqual(g.coordinates[0][4]);
  });

  it('puts Taiwan’s thunderstorm polygon over Taiwan (a real +08:00 feed)', () => {
    const [area] = areasOf('tw-cwa-thunderstorm.xml').filter((a) => a.polygons.length > 0);
    const ring = (areaToGeoJSON(area) as Polygon).coordinates[0];
    for (const [lng, lat] of ring) {
      expect(lng).toBeGreaterThan(119);
      expect(lng).toBeLessThan(123);
      expect(lat).toBeGreaterThan(21);
      expect(lat).toBeLessThan(26.5);
    }
  });

  it('winds every ring counter-clockwise (RFC 7946), whichever way CAP ran', () => {
    const [storm] = areasOf('spec12-a2.xml');
    const reversed = { ...storm, polygons: storm.polygons.map((p) => [...p].reverse()) };
    for (const area of [storm, reversed])
      expect(twiceSignedArea((areaToGeoJSON(area) as Polygon).coordinates[0])).toBeGreaterThan(0);
  });

  it('draws a circle as a closed 64-gon at its radius', () => {
    const [haidian] = areasOf('own-haidian-rainstorm.xml'); // a polygon and a 5 km circle
    const g = areaToGeoJSON({ ...haidian, polygons: [] }) as Polygon;
    const ring = g.coordinates[0];
    expect(ring).toHaveLength(CIRCLE_SEGMENTS + 1);
    expect(ring[0]).toEqual(ring[CIRCLE_SEGMENTS]);
    for (const [lng, lat] of ring)
      expect(distanceM({ lat: 40.05, lng: 116.21 }, { lat, lng })).toBeCloseTo(5000, -1);
    expect(twiceSignedArea(ring)).toBeGreaterThan(0);
  });

  it('gives several shapes as a MultiPolygon, and nothing for geocodes or a point', () => {
    const [haidian] = areasOf('own-haidian-rainstorm.xml');
    const g = areaToGeoJSON(haidian);
    expect(g?.type).toBe('MultiPolygon');
    expect(g?.type === 'MultiPolygon' && g.coordinates).toHaveLength(2);
    const [amber] = areasOf('spec12-a4.xml'); // geocodes only
    expect(areaToGeoJSON(amber)).toBeNull();
    const [quake] = areasOf('spec12-a3.xml'); // a circle of radius 0: a point
    expect(areaToGeoJSON(quake)).toBeNull();
  });

  it('collects an info’s areas as features named by areaDesc', () => {
    const fc = areasToGeoJSON(areasOf('google-australia.xml'));
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features.length).toBeGreaterThan(0);
    for (const f of fc.features) expect(typeof f.properties?.areaDesc).toBe('string');
  });
});
