import type { Camera } from '../../shared/camera.ts';
import type { GridCollection } from '../../shared/grid.ts';

/** A tiny district for tests: one street, two square communities side by side, three cameras. */
const square = (x: number, y: number, d: number) => [
  [
    [x, y],
    [x + d, y],
    [x + d, y + d],
    [x, y + d],
    [x, y],
  ],
];

export const TEST_GRID: GridCollection = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      properties: { id: 'D', level: 'district', parentId: null, name: '海淀区' },
      geometry: { type: 'Polygon', coordinates: square(116.3, 39.9, 0.04) as [number, number][][] },
    },
    {
      type: 'Feature',
      properties: { id: 'S1', level: 'street', parentId: 'D', name: '万寿路街道' },
      geometry: { type: 'Polygon', coordinates: square(116.3, 39.9, 0.04) as [number, number][][] },
    },
    {
      type: 'Feature',
      properties: { id: 'C1', level: 'community', parentId: 'S1', name: '翠微路社区居委会' },
      geometry: { type: 'Polygon', coordinates: square(116.3, 39.9, 0.02) as [number, number][][] },
    },
    {
      type: 'Feature',
      properties: { id: 'C2', level: 'community', parentId: 'S1', name: '复兴路社区' },
      geometry: { type: 'Polygon', coordinates: square(116.32, 39.9, 0.02) as [number, number][][] },
    },
  ],
};

export const TEST_CAMERAS: Camera[] = [
  {
    id: 'CAM-1',
    name: '翠微路与复兴路口 1号',
    location: { lng: 116.31, lat: 39.91 },
    streetId: 'S1',
    communityId: 'C1',
    kind: 'road',
  },
  {
    id: 'CAM-2',
    name: '翠微市场 1号',
    location: { lng: 116.33, lat: 39.91 },
    streetId: 'S1',
    communityId: 'C2',
    kind: 'market',
  },
  {
    id: 'CAM-3',
    name: '复兴路社区中心广场 1号',
    location: { lng: 116.325, lat: 39.915 },
    streetId: 'S1',
    communityId: 'C2',
    kind: 'community',
  },
];
