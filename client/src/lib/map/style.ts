/**
 * The offline base style and Pingzhan's overlay layers.
 *
 * Offline text: the style has no `glyphs` URL. MapLibre 6 then draws every glyph in the browser
 * with TinySDF from the fonts installed on the machine (GlyphManager: "no url → draw locally"),
 * so labels need no glyph server and no network; `localIdeographFontFamily` names the CJK fonts
 * to prefer. Nothing in this style points outside our own origin: no tiles, glyphs or sprites.
 */
import type { LayerSpecification, SourceSpecification, StyleSpecification } from 'maplibre-gl';
import { SEVERITY_COLORS } from '../../../../shared/common.ts';
import { CAMERA_STATUS_COLORS, emptyFc, RESOURCE_STATUS_COLORS, VIDEO_ALERT_COLOR } from './geojson.ts';

/** CSS font families for map text, in order; the first the machine has wins. */
export const LOCAL_FONTS =
  '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Hiragino Sans GB", sans-serif';
/** The `text-font` stack: with no glyphs URL it is used as the CSS font-family list. */
export const TEXT_FONT = [
  'Noto Sans CJK SC',
  'Source Han Sans SC',
  'PingFang SC',
  'Microsoft YaHei',
  'WenQuanYi Micro Hei',
  'sans-serif',
];
export const TEXT_FONT_BOLD = ['Noto Sans CJK SC Bold', ...TEXT_FONT];

export const SRC = {
  grid: 'pz-grid',
  gridLabels: 'pz-grid-labels',
  incidents: 'pz-incidents',
  alerts: 'pz-alerts',
  cameras: 'pz-cameras',
  resources: 'pz-resources',
  cordons: 'pz-cordons',
  density: 'pz-density',
} as const;

export type LayerGroup = 'grid' | 'incidents' | 'alerts' | 'cameras' | 'resources';
export const LAYER_GROUPS: readonly LayerGroup[] = ['grid', 'incidents', 'alerts', 'cameras', 'resources'];

export function overlaySources(): Record<string, SourceSpecification> {
  return {
    [SRC.grid]: { type: 'geojson', data: emptyFc() },
    [SRC.gridLabels]: { type: 'geojson', data: emptyFc() },
    [SRC.cameras]: { type: 'geojson', data: emptyFc() },
    [SRC.resources]: { type: 'geojson', data: emptyFc() },
    [SRC.alerts]: { type: 'geojson', data: emptyFc() },
    [SRC.cordons]: { type: 'geojson', data: emptyFc() },
    // open cases, unclustered, for the peacetime density layer (a heatmap of clusters would lie)
    [SRC.density]: { type: 'geojson', data: emptyFc() },
    [SRC.incidents]: {
      type: 'geojson',
      data: emptyFc(),
      cluster: true,
      clusterRadius: 42,
      clusterMaxZoom: 14,
      clusterProperties: {
        minSeverity: ['min', ['get', 'severity']],
        // 1 when any member is not quiet (wartime: the cluster holds an operation's incident)
        loud: ['max', ['-', 1, ['get', 'quiet']]],
      },
    },
  };
}

const sevColor = (prop: unknown) => [
  'match',
  prop,
  1,
  SEVERITY_COLORS[1],
  2,
  SEVERITY_COLORS[2],
  3,
  SEVERITY_COLORS[3],
  SEVERITY_COLORS[4],
];

const text = (extra: Record<string, unknown> = {}) => ({
  'text-font': TEXT_FONT,
  'text-allow-overlap': false,
  ...extra,
});

/** Layer ids per toggle group. */
export const GROUP_LAYERS: Record<LayerGroup, string[]> = {
  grid: [
    'pz-grid-street-fill',
    'pz-grid-community-line',
    'pz-grid-street-line',
    'pz-grid-district-line',
    'pz-grid-label-district',
    'pz-grid-label-street',
    'pz-grid-label-community',
  ],
  cameras: ['pz-cameras', 'pz-cameras-offline'],
  resources: ['pz-resources', 'pz-resources-glyph'],
  alerts: ['pz-alerts-pulse', 'pz-alerts', 'pz-alerts-selected'],
  incidents: [
    'pz-density',
    'pz-cordon-fill',
    'pz-cordon-line',
    'pz-incident-clusters',
    'pz-incident-cluster-count',
    'pz-incidents-selected',
    'pz-incidents',
    'pz-incidents-label',
  ],
};

export function overlayLayers(): LayerSpecification[] {
  const layers: unknown[] = [
    {
      id: 'pz-grid-street-fill',
      type: 'fill',
      source: SRC.grid,
      filter: ['==', ['get', 'level'], 'street'],
      paint: { 'fill-color': '#1c2f45', 'fill-opacity': 0.35 },
    },
    {
      id: 'pz-grid-community-line',
      type: 'line',
      source: SRC.grid,
      minzoom: 12,
      filter: ['==', ['get', 'level'], 'community'],
      paint: { 'line-color': '#4f6b8a', 'line-width': 0.8, 'line-opacity': 0.7 },
    },
    {
      id: 'pz-grid-street-line',
      type: 'line',
      source: SRC.grid,
      filter: ['==', ['get', 'level'], 'street'],
      paint: { 'line-color': '#7fa3c8', 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 1, 15, 2.2] },
    },
    {
      id: 'pz-grid-district-line',
      type: 'line',
      source: SRC.grid,
      filter: ['==', ['get', 'level'], 'district'],
      paint: { 'line-color': '#e0ecff', 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 2, 15, 4] },
    },
    {
      id: 'pz-grid-label-district',
      type: 'symbol',
      source: SRC.gridLabels,
      maxzoom: 11,
      filter: ['==', ['get', 'level'], 'district'],
      layout: text({ 'text-field': ['get', 'name'], 'text-size': 22, 'text-font': TEXT_FONT_BOLD }),
      paint: { 'text-color': '#e8f0fb', 'text-halo-color': '#0b1826', 'text-halo-width': 2 },
    },
    {
      id: 'pz-grid-label-street',
      type: 'symbol',
      source: SRC.gridLabels,
      minzoom: 10.5,
      maxzoom: 14,
      filter: ['==', ['get', 'level'], 'street'],
      layout: text({
        'text-field': ['get', 'name'],
        'text-size': ['interpolate', ['linear'], ['zoom'], 11, 12, 14, 16],
      }),
      paint: { 'text-color': '#b9cde4', 'text-halo-color': '#0b1826', 'text-halo-width': 1.5 },
    },
    {
      id: 'pz-grid-label-community',
      type: 'symbol',
      source: SRC.gridLabels,
      minzoom: 13.5,
      filter: ['==', ['get', 'level'], 'community'],
      layout: text({ 'text-field': ['get', 'name'], 'text-size': 12 }),
      paint: { 'text-color': '#8ea6c1', 'text-halo-color': '#0b1826', 'text-halo-width': 1.2 },
    },
    {
      // where the open cases are (peacetime): fades out as the points take over when zooming in
      id: 'pz-density',
      type: 'heatmap',
      source: SRC.density,
      maxzoom: 16,
      paint: {
        'heatmap-weight': ['interpolate', ['linear'], ['get', 'severity'], 1, 1, 4, 0.4],
        'heatmap-intensity': ['interpolate', ['linear'], ['zoom'], 10, 0.8, 15, 2],
        'heatmap-radius': ['interpolate', ['linear'], ['zoom'], 10, 14, 15, 36],
        'heatmap-opacity': ['interpolate', ['linear'], ['zoom'], 12, 0.7, 16, 0],
        'heatmap-color': [
          'interpolate',
          ['linear'],
          ['heatmap-density'],
          0,
          'rgba(0,0,0,0)',
          0.2,
          '#1d4d7a',
          0.45,
          '#2b83ba',
          0.7,
          '#f2c200',
          1,
          '#d7191c',
        ],
      },
    },
    {
      id: 'pz-cordon-fill',
      type: 'fill',
      source: SRC.cordons,
      paint: { 'fill-color': ['get', 'color'], 'fill-opacity': 0.18 },
    },
    {
      id: 'pz-cordon-line',
      type: 'line',
      source: SRC.cordons,
      paint: { 'line-color': ['get', 'color'], 'line-width': 3, 'line-dasharray': [2, 1.5] },
    },
    {
      id: 'pz-cameras',
      type: 'circle',
      source: SRC.cameras,
      minzoom: 9,
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 9, 1.5, 12, 3, 16, 5],
        'circle-color': [
          'match',
          ['get', 'status'],
          'online',
          CAMERA_STATUS_COLORS.online,
          'offline',
          CAMERA_STATUS_COLORS.offline,
          CAMERA_STATUS_COLORS.unknown,
        ],
        // offline: hollow (a grey ring with the cross below); unknown: faint, not yet heard from
        'circle-opacity': ['match', ['get', 'status'], 'online', 1, 'offline', 0, 0.4],
        'circle-stroke-color': [
          'match',
          ['get', 'status'],
          'offline',
          CAMERA_STATUS_COLORS.offline,
          '#cbd5e0',
        ],
        'circle-stroke-width': ['match', ['get', 'status'], 'offline', 1.5, 1],
        'circle-stroke-opacity': ['match', ['get', 'status'], 'unknown', 0.4, 1],
      },
    },
    {
      id: 'pz-cameras-offline',
      type: 'symbol',
      source: SRC.cameras,
      minzoom: 12,
      filter: ['==', ['get', 'offline'], 1],
      layout: text({ 'text-field': '×', 'text-size': 11, 'text-allow-overlap': true }),
      paint: { 'text-color': CAMERA_STATUS_COLORS.offline },
    },
    {
      id: 'pz-resources',
      type: 'circle',
      source: SRC.resources,
      paint: {
        'circle-radius': [
          'interpolate',
          ['linear'],
          ['zoom'],
          10,
          ['case', ['==', ['get', 'engaged'], 1], 6, 4],
          15,
          ['case', ['==', ['get', 'engaged'], 1], 13, 10],
        ],
        'circle-color': ['get', 'color'],
        'circle-opacity': ['case', ['==', ['get', 'quiet'], 1], 0.35, 1],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': ['case', ['==', ['get', 'engaged'], 1], 2.5, 1.5],
        'circle-stroke-opacity': ['case', ['==', ['get', 'quiet'], 1], 0.35, 1],
      },
    },
    {
      id: 'pz-resources-glyph',
      type: 'symbol',
      source: SRC.resources,
      minzoom: 13,
      layout: text({ 'text-field': ['get', 'glyph'], 'text-size': 11, 'text-allow-overlap': true }),
      paint: { 'text-color': '#ffffff' },
    },
    {
      id: 'pz-alerts-pulse',
      type: 'circle',
      source: SRC.alerts,
      filter: ['==', ['get', 'fresh'], 1],
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 9, 15, 14],
        'circle-color': VIDEO_ALERT_COLOR,
        'circle-opacity': 0.3,
        'circle-stroke-width': 0,
      },
    },
    {
      id: 'pz-alerts-selected',
      type: 'circle',
      source: SRC.alerts,
      filter: ['==', ['get', 'selected'], 1],
      paint: {
        'circle-radius': 15,
        'circle-color': 'rgba(0,0,0,0)',
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 3,
      },
    },
    {
      id: 'pz-alerts',
      type: 'circle',
      source: SRC.alerts,
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 5, 15, 8],
        'circle-color': VIDEO_ALERT_COLOR,
        'circle-opacity': ['case', ['==', ['get', 'fresh'], 1], 1, 0.6],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1.5,
      },
    },
    {
      id: 'pz-incident-clusters',
      type: 'circle',
      source: SRC.incidents,
      filter: ['has', 'point_count'],
      paint: {
        'circle-color': sevColor(['get', 'minSeverity']),
        'circle-radius': ['step', ['get', 'point_count'], 14, 10, 18, 50, 24, 200, 30],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
        'circle-opacity': ['case', ['==', ['get', 'loud'], 0], 0.3, 0.9],
        'circle-stroke-opacity': ['case', ['==', ['get', 'loud'], 0], 0.3, 1],
      },
    },
    {
      id: 'pz-incident-cluster-count',
      type: 'symbol',
      source: SRC.incidents,
      filter: ['has', 'point_count'],
      layout: text({
        'text-field': ['to-string', ['get', 'point_count']],
        'text-size': 13,
        'text-allow-overlap': true,
        'text-font': TEXT_FONT_BOLD,
      }),
      paint: { 'text-color': '#0b1826' },
    },
    {
      id: 'pz-incidents-selected',
      type: 'circle',
      source: SRC.incidents,
      filter: ['all', ['!', ['has', 'point_count']], ['==', ['get', 'selected'], 1]],
      paint: {
        'circle-radius': 18,
        'circle-color': 'rgba(0,0,0,0)',
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 3,
      },
    },
    {
      id: 'pz-incidents',
      type: 'circle',
      source: SRC.incidents,
      filter: ['!', ['has', 'point_count']],
      paint: {
        'circle-color': ['get', 'color'],
        'circle-radius': [
          'case',
          ['==', ['get', 'focus'], 1],
          14,
          ['match', ['get', 'severity'], 1, 11, 2, 9, 3, 7, 6],
        ],
        'circle-opacity': ['case', ['==', ['get', 'quiet'], 1], 0.3, 1],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': ['case', ['==', ['get', 'focus'], 1], 3, 2],
        'circle-stroke-opacity': ['case', ['==', ['get', 'quiet'], 1], 0.3, 1],
      },
    },
    {
      id: 'pz-incidents-label',
      type: 'symbol',
      source: SRC.incidents,
      filter: ['!', ['has', 'point_count']],
      minzoom: 11,
      layout: text({
        'text-field': ['match', ['get', 'severity'], 1, 'Ⅰ', 2, 'Ⅱ', 3, 'Ⅲ', 'Ⅳ'],
        'text-size': 10,
        'text-allow-overlap': true,
      }),
      paint: { 'text-color': '#0b1826', 'text-opacity': ['case', ['==', ['get', 'quiet'], 1], 0.3, 1] },
    },
  ];
  return layers as LayerSpecification[];
}

/** The built-in offline style: a dark background and our GeoJSON, nothing from outside. */
export function offlineStyle(): StyleSpecification {
  return {
    version: 8,
    name: 'pingzhan-offline',
    sources: overlaySources(),
    layers: [
      { id: 'pz-background', type: 'background', paint: { 'background-color': '#0e1a2a' } },
      ...overlayLayers(),
    ],
  };
}

export { RESOURCE_STATUS_COLORS };
