import type { LngLat } from '../../shared/common.ts';

/** Where a point lies in the three-level grid (implemented by geo/grid-index.ts). */
export type Place = {
  streetId: string | null;
  communityId: string | null;
  outsideDistrict: boolean;
  label: string;
};
export interface Locator {
  locate(p: LngLat): Place;
}
