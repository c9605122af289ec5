import { describe, expect, it } from 'vitest';
import type { GridCollection } from '../../../../shared/index.ts';
import { SEVERITY_COLORS } from '../../../../shared/common.ts';
import type { CameraStatus } from '../../../../shared/camera.ts';
import {
  CAMERA_STATUS_COLORS,
  camerasGeoJSON,
  cordonsGeoJSON,
  gridBounds,
  gridLabelsGeoJSON,
  incidentsGeoJSON,
  labelPoint,
  pointInRing,
  resourcesGeoJSON,
  RESOURCE_STATUS_COLORS,
  RESOURCE_GLYPHS_EN,
  videoAlertsGeoJSON,
} from './geojson.ts';
import { camera, incident, operation, resource, videoAlert } from '../testing/fixtures.ts';

describe('incidentsGeoJSON', () => {
  it('makes one point per open incident with its severity colour', () => {
    const fc = incidentsGeoJSON(
      [
        incident('a', { severity: 4, location: { lng: 116.1, lat: 39.8 } }),
        incident('b', { severity: 1 }),
        incident('c', { status: 'closed' }),
      ],
      'b',
    );
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features.map((f) => f.properties.id)).toEqual(['a', 'b']);
    const a = fc.features[0];
    expect(a.geometry.coordinates).toEqual([116.1, 39.8]);
    expect(a.properties.color).toBe(SEVERITY_COLORS[4]);
    expect(fc.features[1].properties.color).toBe(SEVERITY_COLORS[1]);
    expect(fc.features[1].properties.selected).toBe(1);
    expect(a.properties.selected).toBe(0);
  });

  it('keeps user text out of the feature properties', () => {
    const fc = incidentsGeoJSON([incident('x', { title: '<img src=x onerror=alert(1)>', description: 'd' })]);
    expect(JSON.stringify(fc)).not.toContain('onerror');
  });

  it('is empty for no incidents', () => {
    expect(incidentsGeoJSON([]).features).toEqual([]);
  });
});

describe('videoAlertsGeoJSON', () => {
  it('marks new alerts as fresh and leaves dismissed ones out', () => {
    const fc = videoAlertsGeoJSON([
      videoAlert('n'),
      videoAlert('c', { status: 'confirmed' }),
      videoAlert('d', { status: 'dismissed' }),
    ]);
    expect(fc.features.map((f) => [f.properties.id, f.properties.fresh])).toEqual([
      ['c', 0],
      ['n', 1],
    ]);
  });

  it('draws at most `max`, new ones and the newest first, and always the selected one', () => {
    const at = (m: number) => `2024-06-01T08:${String(m).padStart(2, '0')}:00.000Z`;
    const alerts = [
      videoAlert('old-new', { createdAt: at(1) }),
      videoAlert('mid-new', { createdAt: at(5) }),
      videoAlert('late-confirmed', { createdAt: at(9), status: 'confirmed' }),
      videoAlert('late-new', { createdAt: at(8) }),
    ];
    const ids = (fc: ReturnType<typeof videoAlertsGeoJSON>) => fc.features.map((f) => f.properties.id);
    expect(ids(videoAlertsGeoJSON(alerts, null, 2))).toEqual(['mid-new', 'late-new']);
    expect(ids(videoAlertsGeoJSON(alerts, 'old-new', 2))).toEqual(['old-new', 'mid-new', 'late-new']);
    expect(ids(videoAlertsGeoJSON(alerts, null, 10))).toHaveLength(4);
  });
});

describe('camerasGeoJSON / resourcesGeoJSON', () => {
  it('places cameras', () => {
    const fc = camerasGeoJSON([camera('k', { location: { lng: 1, lat: 2 } })]);
    expect(fc.features[0].geometry.coordinates).toEqual([1, 2]);
    // a bare register entry (an older server) has not been heard from
    expect(fc.features[0].properties).toEqual({ id: 'k', kind: 'road', status: 'unknown', offline: 0 });
  });
  it('carries each camera status, and marks the offline ones for the cross', () => {
    const state = (id: string, status: CameraStatus) => ({
      ...camera(id),
      links: {},
      status,
      lastSeenAt: status === 'unknown' ? null : '2026-01-01T00:00:00.000Z',
    });
    const props = camerasGeoJSON([
      state('a', 'online'),
      state('b', 'offline'),
      state('c', 'unknown'),
    ]).features.map((f) => f.properties);
    expect(props).toEqual([
      { id: 'a', kind: 'road', status: 'online', offline: 0 },
      { id: 'b', kind: 'road', status: 'offline', offline: 1 },
      { id: 'c', kind: 'road', status: 'unknown', offline: 0 },
    ]);
    // the legend's colours are the layer's: offline and unknown are not drawn as online
    expect(CAMERA_STATUS_COLORS.offline).not.toBe(CAMERA_STATUS_COLORS.online);
  });
  it('colours resources by status and marks their type', () => {
    const fc = resourcesGeoJSON([
      resource('r', { status: 'en_route', type: 'ambulance', location: { lng: 3, lat: 4 } }),
    ]);
    const f = fc.features[0];
    expect(f.geometry.coordinates).toEqual([3, 4]);
    expect(f.properties.color).toBe(RESOURCE_STATUS_COLORS.en_route);
    expect(f.properties.type).toBe('ambulance');
    expect(f.properties.glyph).toBe('救');
    expect(
      resourcesGeoJSON([resource('r', { type: 'ambulance' })], RESOURCE_GLYPHS_EN).features[0].properties
        .glyph,
    ).toBe('A');
  });
});

const square = (x: number, y: number, s: number) => [
  [x, y],
  [x + s, y],
  [x + s, y + s],
  [x, y + s],
  [x, y],
];

describe('grid helpers', () => {
  const grid: GridCollection = {
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        properties: { id: 'd', level: 'district', parentId: null, name: '海淀区' },
        geometry: { type: 'Polygon', coordinates: [square(0, 0, 10)] as [number, number][][] },
      },
      {
        type: 'Feature',
        properties: { id: 's', level: 'street', parentId: 'd', name: '万寿路街道' },
        geometry: {
          type: 'MultiPolygon',
          coordinates: [[square(0, 0, 1)], [square(4, 4, 4)]] as [number, number][][][],
        },
      },
    ],
  };

  it('puts labels at the centre of the largest part', () => {
    const fc = gridLabelsGeoJSON(grid);
    expect(fc.features[0].geometry.coordinates).toEqual([5, 5]);
    expect(fc.features[1].geometry.coordinates).toEqual([6, 6]);
    expect(fc.features[1].properties).toEqual({ id: 's', level: 'street', name: '万寿路街道' });
  });

  it('keeps the label inside a concave shape', () => {
    // a U shape whose centroid falls in the notch
    const u = [
      [0, 0],
      [3, 0],
      [3, 3],
      [2, 3],
      [2, 1],
      [1, 1],
      [1, 3],
      [0, 3],
      [0, 0],
    ];
    const p = labelPoint({ type: 'Polygon', coordinates: [u] });
    expect(pointInRing(p, u)).toBe(true);
  });

  it('computes the bounds', () => {
    expect(gridBounds(grid)).toEqual([
      [0, 0],
      [10, 10],
    ]);
    expect(gridBounds({ type: 'FeatureCollection', features: [] })).toBeNull();
  });
});

describe('wartime', () => {
  it("draws incidents outside the operations quieter, the operation's own bright", () => {
    const list = [incident('a'), incident('b')];
    const peace = incidentsGeoJSON(list);
    expect(peace.features.map((f) => f.properties.quiet)).toEqual([0, 0]);
    const war = incidentsGeoJSON(list, null, new Set(['a']));
    const byId = Object.fromEntries(war.features.map((f) => [f.properties.id, f.properties]));
    expect(byId.a).toMatchObject({ focus: 1, quiet: 0 });
    expect(byId.b).toMatchObject({ focus: 0, quiet: 1 });
  });

  it('marks engaged resources, quiets the rest in wartime and draws the engaged on top', () => {
    const list = [
      resource('busy', { status: 'en_route', incidentId: 'i1', operationId: 'o1' }),
      resource('idle'),
    ];
    const war = resourcesGeoJSON(list, undefined, true);
    expect(war.features.map((f) => [f.properties.id, f.properties.engaged, f.properties.quiet])).toEqual([
      ['idle', 0, 1],
      ['busy', 1, 0],
    ]);
    expect(resourcesGeoJSON(list).features.every((f) => f.properties.quiet === 0)).toBe(true);
  });

  it("draws a cordon circle around each active operation's incident", () => {
    const inc = incident('i1', { location: { lng: 116.3, lat: 39.9 } });
    const fc = cordonsGeoJSON(
      [
        operation('o1', { incidentId: 'i1', level: 1 }),
        operation('o2', { incidentId: 'i1', status: 'stood_down' }),
      ],
      (id) => (id === 'i1' ? inc : undefined),
    );
    expect(fc.features).toHaveLength(1);
    expect(fc.features[0].properties).toMatchObject({ id: 'o1', color: SEVERITY_COLORS[1] });
    expect(fc.features[0].geometry.coordinates[0].length).toBeGreaterThan(16);
  });
});
