import Flatbush from 'flatbush';
import type { LngLat } from '../../shared/common.ts';
import type { GridCollection, GridFeature } from '../../shared/grid.ts';
import { geometryBBox, pointInGeometry, type BBox } from './geometry.ts';
import type { Rand } from '../../shared/random.ts';

export interface GridLocation {
  streetId: string | null;
  communityId: string | null;
  streetName: string | null;
  communityName: string | null;
  outsideDistrict: boolean;
  /** e.g. "海淀区 · 万寿路街道 · 翠微路社区居委会", or "海淀区外". */
  label: string;
}

/**
 * Point → grid lookup over the three-level grid. A bbox R-tree narrows the candidates to a few
 * polygons, so a locate costs microseconds even during a storm's burst of events.
 */
export class GridIndex {
  private readonly features: GridFeature[];
  private readonly boxes: BBox[];
  private readonly tree: Flatbush;
  private readonly byId = new Map<string, number>();
  private readonly district: GridFeature;

  constructor(collection: GridCollection) {
    this.features = collection.features;
    const districts = this.features.filter((f) => f.properties.level === 'district');
    if (districts.length !== 1) throw new Error(`GridIndex expects one district, got ${districts.length}`);
    this.district = districts[0];
    this.boxes = this.features.map((f) => geometryBBox(f.geometry));
    this.tree = new Flatbush(Math.max(1, this.features.length));
    for (const [i, b] of this.boxes.entries()) {
      this.tree.add(b[0], b[1], b[2], b[3]);
      this.byId.set(this.features[i].properties.id, i);
    }
    this.tree.finish();
  }

  /** The grid feature with this id, if any. */
  get(id: string): GridFeature | undefined {
    const i = this.byId.get(id);
    return i === undefined ? undefined : this.features[i];
  }

  /** Bounding box of the district: [minLng, minLat, maxLng, maxLat]. */
  bbox(): BBox {
    return [...this.boxes[this.byId.get(this.district.properties.id)!]] as BBox;
  }

  locate({ lng, lat }: LngLat): GridLocation {
    const candidates = this.tree.search(lng, lat, lng, lat).map((i) => this.features[i]);
    const hit = (level: GridFeature['properties']['level']) =>
      candidates.find((f) => f.properties.level === level && pointInGeometry(lng, lat, f.geometry)) ?? null;
    // Communities tile the district, so one small polygon usually settles it; the district
    // outline (the longest ring) is only tested for points that fall in no community.
    const community = hit('community');
    const street = community ? (this.get(community.properties.parentId ?? '') ?? null) : hit('street');
    const inDistrict = community !== null || street !== null || hit('district') !== null;
    if (!inDistrict) {
      return {
        streetId: null,
        communityId: null,
        streetName: null,
        communityName: null,
        outsideDistrict: true,
        label: `${this.district.properties.name}外`,
      };
    }
    const parts = [this.district.properties.name, street?.properties.name, community?.properties.name];
    return {
      streetId: street?.properties.id ?? null,
      communityId: community?.properties.id ?? null,
      streetName: street?.properties.name ?? null,
      communityName: community?.properties.name ?? null,
      outsideDistrict: false,
      label: parts.filter(Boolean).join(' · '),
    };
  }

  /** A uniformly random point inside grid `id` (rejection sampling in its bbox). */
  randomPointIn(id: string, rand: Rand): LngLat {
    const i = this.byId.get(id);
    if (i === undefined) throw new Error(`unknown grid id ${id}`);
    const [x0, y0, x1, y1] = this.boxes[i];
    const g = this.features[i].geometry;
    // Grid polygons fill a good share of their bbox; 10,000 misses means a degenerate polygon.
    for (let k = 0; k < 10_000; k++) {
      const lng = x0 + rand() * (x1 - x0);
      const lat = y0 + rand() * (y1 - y0);
      if (pointInGeometry(lng, lat, g)) return { lng, lat };
    }
    throw new Error(`could not sample a point inside grid ${id}`);
  }
}
