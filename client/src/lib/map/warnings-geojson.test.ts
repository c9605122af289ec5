import { describe, expect, it } from 'vitest';
import { warningBounds, warningsGeoJSON } from './warnings-geojson.ts';
import { warning } from '../testing/fixtures.ts';

describe('warnings as map data', () => {
  it('one feature per area with a shape, least severe first, drills flagged and labelled', () => {
    const base = warning('a').area.features[0];
    const fc = warningsGeoJSON(
      [
        warning('r', { colour: 'red' }),
        warning('d', { colour: 'blue', routing: 'drill', status: 'Exercise', event: '大风' }),
        warning('y', {
          colour: 'yellow',
          area: {
            type: 'FeatureCollection',
            features: [base, { type: 'Feature', geometry: null, properties: { areaDesc: '仅地理编码' } }],
          },
        }),
      ],
      '演练',
    );
    expect(fc.features.map((f) => [f.properties.id, f.properties.colour, f.properties.drill])).toEqual([
      ['d', 'blue', 1],
      ['y', 'yellow', 0],
      ['r', 'red', 0],
    ]);
    expect(fc.features[0].properties.label).toBe('演练 · 大风');
    expect(fc.features[2].properties.label).toBe('暴雨');
  });

  it('splits a MultiPolygon (a polygon and an overlapping circle) into polygons: no hole where they overlap', () => {
    const ring = warning('a').area.features[0].geometry!.coordinates[0] as [number, number][];
    const fc = warningsGeoJSON(
      [
        warning('m', {
          area: {
            type: 'FeatureCollection',
            features: [
              {
                type: 'Feature',
                geometry: {
                  type: 'MultiPolygon',
                  coordinates: [[ring], [ring.map(([x, y]) => [x + 0.005, y])]],
                },
                properties: { areaDesc: '两块' },
              },
            ],
          },
        }),
      ],
      '演练',
    );
    expect(fc.features.map((f) => f.geometry.type)).toEqual(['Polygon', 'Polygon']);
    expect(fc.features[1].geometry.coordinates[0][0][0]).toBeCloseTo(116.305, 9);
  });

  it('bounds are [west, south, east, north] in GeoJSON order (lng, lat)', () => {
    expect(warningBounds(warning('a'))).toEqual([116.3, 39.98, 116.32, 40.0]);
    expect(
      warningBounds(
        warning('n', {
          area: {
            type: 'FeatureCollection',
            features: [{ type: 'Feature', geometry: null, properties: { areaDesc: 'x' } }],
          },
        }),
      ),
    ).toBeNull();
  });
});
