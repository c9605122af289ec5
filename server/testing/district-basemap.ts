/**
 * A small district basemap the tests build themselves: roads with Chinese names, water, buildings,
 * a park and a neighbourhood label around 中关村街道 (the demo district's street 110108011, at
 * the point `server/data/source/streets.json` gives it), as vector tiles z14–16 in the layers
 * and properties of the Protomaps basemap schema that `@protomaps/basemaps` draws (`earth`,
 * `landuse`, `water`, `roads`, `buildings`, `places`; `kind`, `name`, `name:en`, `script`,
 * `min_zoom`), encoded with geojson-vt + vt-pbf and written as PMTiles v3 (./pmtiles-writer.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import GeoJSONVT from 'geojson-vt';
import { fromGeojsonVt } from 'vt-pbf';
import { writePmtiles, type Codec, type TileInput } from './pmtiles-writer.ts';

const STREETS = path.resolve(import.meta.dirname, '../data/source/streets.json');
const ZHONGGUANCUN = '110108011';

/** Where the test basemap is centred: the demo's 中关村街道 seed point. */
export function basemapCentre(): { lng: number; lat: number } {
  const { streets } = JSON.parse(readFileSync(STREETS, 'utf8')) as {
    streets: { id: string; at: [number, number] }[];
  };
  const s = streets.find((x) => x.id === ZHONGGUANCUN);
  if (!s) throw new Error(`street ${ZHONGGUANCUN} is not in ${STREETS}`);
  return { lng: s.at[0], lat: s.at[1] };
}

/** Half the width and height of the covered box, in degrees (~1.2 km × 1 km either way). */
const HALF_LNG = 0.014;
const HALF_LAT = 0.009;
export const MIN_ZOOM = 14;
export const MAX_ZOOM = 16;

export type RoadSpec = { name: string; en: string; kind: 'highway' | 'major_road' | 'minor_road' };
/** The roads, by name: the browser test looks for these labels. */
export const ROADS: RoadSpec[] = [
  { name: '中关村大街', en: 'Zhongguancun Street', kind: 'major_road' },
  { name: '北四环西路', en: 'North 4th Ring Road West', kind: 'highway' },
  { name: '知春路', en: 'Zhichun Road', kind: 'major_road' },
  { name: '科学院南路', en: 'Kexueyuan South Road', kind: 'minor_road' },
  { name: '中关村东路', en: 'Zhongguancun East Road', kind: 'minor_road' },
  { name: '海淀北一街', en: 'Haidian North 1st Street', kind: 'minor_road' },
];

const DETAIL = { highway: 'motorway', major_road: 'primary', minor_road: 'residential' } as const;
const MIN_ZOOMS = { highway: 7, major_road: 10, minor_road: 13 } as const;

const feature = (geometry: Geometry, properties: Record<string, unknown>): Feature => ({
  type: 'Feature',
  geometry,
  properties,
});
const box = (w: number, s: number, e: number, n: number): Geometry => ({
  type: 'Polygon',
  coordinates: [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s],
    ],
  ],
});
const line = (...pts: [number, number][]): Geometry => ({ type: 'LineString', coordinates: pts });
const named = (name: string, en: string) => ({ name, 'name:en': en, 'name:zh-Hans': name, script: 'Han' });

/** The features of each layer, in lng/lat around the centre. */
export function districtFeatures(c = basemapCentre()): Record<string, FeatureCollection> {
  const { lng: x, lat: y } = c;
  const fc = (features: Feature[]): FeatureCollection => ({ type: 'FeatureCollection', features });
  const road = (r: RoadSpec, g: Geometry) =>
    feature(g, {
      kind: r.kind,
      kind_detail: DETAIL[r.kind],
      min_zoom: MIN_ZOOMS[r.kind],
      ...named(r.name, r.en),
    });
  const [zgc, ring4, zhichun, kxy, zgcEast, hdb1] = ROADS as [
    RoadSpec,
    RoadSpec,
    RoadSpec,
    RoadSpec,
    RoadSpec,
    RoadSpec,
  ];
  const W = x - HALF_LNG;
  const E = x + HALF_LNG;
  const S = y - HALF_LAT;
  const N = y + HALF_LAT;

  const buildings: Feature[] = [];
  // blocks of buildings between the roads, a few per quadrant
  for (const [bx, by] of [
    [-0.006, 0.004],
    [0.003, 0.004],
    [-0.006, -0.003],
    [0.003, -0.003],
    [0.009, 0.005],
    [0.009, -0.004],
  ] as const)
    for (let i = 0; i < 3; i++)
      buildings.push(
        feature(box(x + bx + i * 0.0011, y + by, x + bx + i * 0.0011 + 0.0008, y + by + 0.0009), {
          kind: 'building',
          height: 30 + i * 15,
          min_zoom: 14,
        }),
      );

  return {
    earth: fc([feature(box(W - 0.01, S - 0.01, E + 0.01, N + 0.01), { kind: 'earth' })]),
    landuse: fc([
      feature(box(x - 0.012, y - 0.008, x - 0.009, y - 0.005), {
        kind: 'park',
        ...named('海淀公园', 'Haidian Park'),
      }),
    ]),
    water: fc([
      feature(line([x - 0.008, S - 0.005], [x - 0.0075, y], [x - 0.0085, N + 0.005]), {
        kind: 'river',
        min_zoom: 12,
        ...named('万泉河', 'Wanquan River'),
      }),
      feature(box(x - 0.0072, y - 0.0015, x - 0.0062, y - 0.0007), {
        kind: 'water',
        min_zoom: 14,
        ...named('芙蓉池', 'Furong Pond'),
      }),
    ]),
    roads: fc([
      road(zgc, line([x, S - 0.005], [x, N + 0.005])),
      road(ring4, line([W - 0.005, y + 0.002], [E + 0.005, y + 0.002])),
      road(zhichun, line([W - 0.005, y - 0.006], [E + 0.005, y - 0.006])),
      road(kxy, line([x + 0.006, S - 0.005], [x + 0.006, N + 0.005])),
      road(zgcEast, line([x + 0.012, S - 0.005], [x + 0.012, N + 0.005])),
      road(hdb1, line([W - 0.005, y + 0.0065], [x, y + 0.0065])),
    ]),
    buildings: fc(buildings),
    places: fc([
      feature(
        { type: 'Point', coordinates: [x + 0.003, y - 0.001] },
        {
          kind: 'neighbourhood',
          min_zoom: 13,
          ...named('中关村', 'Zhongguancun'),
        },
      ),
    ]),
  };
}

/** Slippy-map tile column/row of a point at zoom z. */
function tileOf(lng: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return [
    Math.floor(((lng + 180) / 360) * n),
    Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n),
  ];
}

export type DistrictBasemap = {
  archive: Buffer;
  tiles: TileInput[];
  centre: { lng: number; lat: number };
  bounds: [number, number, number, number];
};

/** Encodes the features z14–16 and writes the archive (tiles gzip by default, as planet builds are). */
export function buildDistrictBasemap(
  opts: { tileCompression?: Codec; internalCompression?: Codec } = {},
): DistrictBasemap {
  const centre = basemapCentre();
  const layers = districtFeatures(centre);
  const indexes = Object.entries(layers).map(
    ([name, data]) =>
      [
        name,
        new GeoJSONVT(data, { maxZoom: MAX_ZOOM, indexMaxZoom: MAX_ZOOM, extent: 4096, buffer: 64 }),
      ] as const,
  );
  const bounds: [number, number, number, number] = [
    centre.lng - HALF_LNG,
    centre.lat - HALF_LAT,
    centre.lng + HALF_LNG,
    centre.lat + HALF_LAT,
  ];
  const tiles: TileInput[] = [];
  for (let z = MIN_ZOOM; z <= MAX_ZOOM; z++) {
    const [x0, y0] = tileOf(bounds[0], bounds[3], z);
    const [x1, y1] = tileOf(bounds[2], bounds[1], z);
    for (let tx = x0; tx <= x1; tx++)
      for (let ty = y0; ty <= y1; ty++) {
        const present = Object.fromEntries(
          indexes.flatMap(([name, index]) => {
            const t = index.getTile(z, tx, ty);
            return t && t.features.length ? [[name, t]] : [];
          }),
        );
        if (Object.keys(present).length === 0) continue;
        tiles.push({ z, x: tx, y: ty, data: fromGeojsonVt(present, { version: 2, extent: 4096 }) });
      }
  }
  const archive = writePmtiles({
    tiles,
    bounds,
    center: { lon: centre.lng, lat: centre.lat, zoom: 15 },
    tileCompression: opts.tileCompression,
    internalCompression: opts.internalCompression,
    metadata: {
      name: 'pingzhan-test-district',
      description: 'Test basemap around 中关村, built by server/testing/district-basemap.ts',
      attribution: 'Pingzhan test data (invented geometry)',
      type: 'baselayer',
      format: 'pbf',
      vector_layers: Object.keys(layers).map((id) => ({
        id,
        fields: {},
        minzoom: MIN_ZOOM,
        maxzoom: MAX_ZOOM,
      })),
    },
  });
  return { archive, tiles, centre, bounds };
}
