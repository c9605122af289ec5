import { beforeAll, describe, expect, it } from 'vitest';
import type { GridCollection, GridFeature } from '../../shared/grid.ts';
import { loadDemoData } from '../data/demo-data.ts';
import { pointInGeometry } from './geometry.ts';
import { GridIndex } from './grid-index.ts';
import { mulberry32 } from '../../shared/random.ts';

let grids: GridCollection;
let index: GridIndex;

beforeAll(async () => {
  grids = (await loadDemoData()).grids;
  index = new GridIndex(grids);
});

/** The reference: test every polygon. */
function bruteForce(lng: number, lat: number) {
  const hits = grids.features.filter((f) => pointInGeometry(lng, lat, f.geometry));
  const of = (level: GridFeature['properties']['level']) => hits.filter((f) => f.properties.level === level);
  return { communities: of('community'), streets: of('street'), inDistrict: of('district').length > 0 };
}

describe('GridIndex', () => {
  it('agrees with a linear scan on 2,000 seeded points, in and around the district', () => {
    const rand = mulberry32(42);
    const [x0, y0, x1, y1] = index.bbox();
    const padX = (x1 - x0) * 0.1;
    const padY = (y1 - y0) * 0.1;
    let inside = 0;
    for (let i = 0; i < 2000; i++) {
      const lng = x0 - padX + rand() * (x1 - x0 + 2 * padX);
      const lat = y0 - padY + rand() * (y1 - y0 + 2 * padY);
      const ref = bruteForce(lng, lat);
      const got = index.locate({ lng, lat });
      // The grid is a partition: a point is in at most one community and one street.
      expect(ref.communities.length).toBeLessThanOrEqual(1);
      expect(ref.streets.length).toBeLessThanOrEqual(1);
      expect(got.outsideDistrict).toBe(!ref.inDistrict);
      if (ref.inDistrict) {
        inside++;
        expect(ref.communities).toHaveLength(1);
        expect(got.communityId).toBe(ref.communities[0].properties.id);
        expect(got.streetId).toBe(ref.streets[0].properties.id);
        expect(ref.communities[0].properties.parentId).toBe(got.streetId);
      } else {
        expect(got.communityId).toBeNull();
        expect(got.streetId).toBeNull();
      }
    }
    // The padded bbox must really exercise both branches.
    expect(inside).toBeGreaterThan(500);
    expect(inside).toBeLessThan(1900);
  });

  it('labels a point inside with district · street · community', () => {
    const at = index.randomPointIn('110108001001', mulberry32(1));
    const loc = index.locate(at);
    expect(loc).toMatchObject({ communityId: '110108001001', streetId: '110108001', outsideDistrict: false });
    expect(loc.label).toBe('海淀区 · 万寿路街道 · 翠微路社区居委会');
  });

  it('marks a point outside the district', () => {
    // Tiananmen, in Dongcheng.
    expect(index.locate({ lng: 116.3975, lat: 39.9087 })).toEqual({
      streetId: null,
      communityId: null,
      streetName: null,
      communityName: null,
      outsideDistrict: true,
      label: '海淀区外',
    });
  });

  it('samples random points inside the requested grid', () => {
    const rand = mulberry32(3);
    for (const id of ['110108', '110108029', '110108011', '110108030001']) {
      for (let i = 0; i < 20; i++) {
        const p = index.randomPointIn(id, rand);
        expect(pointInGeometry(p.lng, p.lat, index.get(id)!.geometry)).toBe(true);
      }
    }
    expect(() => index.randomPointIn('nope', rand)).toThrow(/unknown grid/);
  });

  it('reports the district bbox around Haidian', () => {
    const [x0, y0, x1, y1] = index.bbox();
    expect(x0).toBeGreaterThan(116.0);
    expect(x1).toBeLessThan(116.45);
    expect(y0).toBeGreaterThan(39.85);
    expect(y1).toBeLessThan(40.2);
  });
});
