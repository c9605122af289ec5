/**
 * The district basemap: a PMTiles file our own server serves (MAP_PMTILES), read by the `pmtiles`
 * protocol and drawn with the Protomaps style (`@protomaps/basemaps`), our overlay layers on top.
 *
 * Nothing leaves the machine:
 * - tiles come by byte ranges from our origin (`pmtiles://` + the URL the config names);
 * - no sprite: the few Protomaps layers that draw only icons (one-way arrows, road shields) are
 *   left out, and the others lose their icons, keeping their text;
 * - no glyph server: the style has no `glyphs` URL, so MapLibre draws every label in the browser
 *   from local fonts (TinySDF). The Protomaps font names are removed, so labels use the default
 *   font stack, which is the one MapLibre draws CJK in with `localIdeographFontFamily`
 *   (style.ts's LOCAL_FONTS, set on the map); Latin letters come from the machine's sans-serif.
 *   This needs no glyph PBFs at all, in either script, at the cost of Latin labels drawn by the
 *   browser's font engine rather than from prebuilt SDFs (slightly softer at small sizes).
 */
import type * as maplibregl from 'maplibre-gl';
import type { LayerSpecification, StyleSpecification } from 'maplibre-gl';
import { DARK, layers as protomapsLayers, type Flavor } from '@protomaps/basemaps';
import { Protocol } from 'pmtiles';
import { overlayLayers, overlaySources } from './style.ts';

export const BASEMAP_SOURCE = 'pz-basemap';
/** Basemap layer ids are Protomaps' own behind this prefix: they never meet our `pz-` ones. */
export const BASEMAP_PREFIX = 'bm-';
/** Road layers (lines and labels), for tests and for anyone who wants to toggle them. */
export const ROAD_LAYERS = ['roads_minor', 'roads_major', 'roads_highway'].map((id) => BASEMAP_PREFIX + id);
export const ROAD_LABEL_LAYERS = ['roads_labels_minor', 'roads_labels_major'].map(
  (id) => BASEMAP_PREFIX + id,
);

/** Layers that draw nothing but sprite icons. */
const ICON_ONLY = new Set(['roads_oneway', 'roads_shields']);

/**
 * Protomaps' dark flavour in the wall's blues (style.ts's background #0e1a2a), with roads and
 * labels a step brighter than stock: the wall is read from across the room.
 */
export const PINGZHAN_DARK: Flavor = {
  ...DARK,
  background: '#0b1522',
  earth: '#0e1a2a',
  water: '#163650',
  buildings: '#1e3045',
  park_a: '#11261f',
  park_b: '#11261f',
  pedestrian: '#132234',
  other: '#2c435c',
  minor_service: '#2c435c',
  minor_a: '#3a5572',
  minor_b: '#3a5572',
  link: '#46678a',
  major: '#4f7399',
  highway: '#6488ad',
  minor_service_casing: '#0b1522',
  minor_casing: '#0b1522',
  link_casing: '#0b1522',
  major_casing_early: '#0b1522',
  major_casing_late: '#0b1522',
  highway_casing_early: '#0b1522',
  highway_casing_late: '#0b1522',
  roads_label_minor: '#8ea6c1',
  roads_label_minor_halo: '#0b1826',
  roads_label_major: '#c3d4e8',
  roads_label_major_halo: '#0b1826',
  subplace_label: '#7f97b2',
  subplace_label_halo: '#0b1826',
  ocean_label: '#6f9cc0',
  city_label: '#b9cde4',
  city_label_halo: '#0b1826',
};

/** Label language: the local (Chinese) name, or English with the local name beneath it. */
export type BasemapLang = 'zh-Hans' | 'en';

let registered = false;
/**
 * Teaches MapLibre `pmtiles://` URLs, once per page: for our basemap, and for a MAP_STYLE_URL
 * style whose sources name one.
 */
export function registerPmtiles(lib: Pick<typeof maplibregl, 'addProtocol'>): void {
  if (registered) return;
  // pmtiles types its handler against its own copy of MapLibre's request types.
  type Load = Parameters<typeof maplibregl.addProtocol>[1];
  lib.addProtocol('pmtiles', new Protocol().tilev4 as unknown as Load);
  registered = true;
}

/** Drops every `text-font` (layout and `format` sections): labels then use the local fonts above. */
function withoutFonts(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutFonts);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== 'text-font')
        .map(([k, x]) => [k, withoutFonts(x)]),
    );
  return v;
}

/** Protomaps' layers, sprite-free and with local fonts, ids prefixed. */
export function basemapLayers(lang: BasemapLang, flavor: Flavor = PINGZHAN_DARK): LayerSpecification[] {
  return (protomapsLayers(BASEMAP_SOURCE, flavor, { lang }) as unknown as LayerSpecification[])
    .filter((l) => !ICON_ONLY.has(l.id))
    .map((l) => {
      const layer = withoutFonts(l) as LayerSpecification & { layout?: Record<string, unknown> };
      if (layer.layout)
        layer.layout = Object.fromEntries(
          Object.entries(layer.layout).filter(([k]) => !k.startsWith('icon-')),
        );
      return { ...layer, id: BASEMAP_PREFIX + l.id };
    });
}

/** The archive's URL for the `pmtiles` protocol: absolute, on our own origin. */
export function pmtilesUrl(url: string, base: string = location.href): string {
  return `pmtiles://${new URL(url, base).href}`;
}

/** The whole style: the district basemap, then our overlays on top (as in style.ts's offlineStyle). */
export function basemapStyle(url: string, lang: BasemapLang = 'zh-Hans'): StyleSpecification {
  return {
    version: 8,
    name: 'pingzhan-basemap',
    sources: {
      [BASEMAP_SOURCE]: { type: 'vector', url: pmtilesUrl(url) },
      ...overlaySources(),
    },
    layers: [...basemapLayers(lang), ...overlayLayers()],
  };
}

/** Switches the basemap's labels to another language in place (no style reload). */
export function relabelBasemap(map: maplibregl.Map, lang: BasemapLang): void {
  for (const l of basemapLayers(lang)) {
    if (l.type !== 'symbol') continue;
    const field = l.layout?.['text-field'];
    if (field !== undefined && map.getLayer(l.id)) map.setLayoutProperty(l.id, 'text-field', field);
  }
}
