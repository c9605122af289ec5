/**
 * The basemap style asks nothing of any server but ours: no glyphs, no sprite, no font names
 * (labels come from local fonts), the archive on our origin; and our layers stay on top.
 */
import { describe, expect, it } from 'vitest';
import { overlayLayers } from './style.ts';
import {
  BASEMAP_PREFIX,
  BASEMAP_SOURCE,
  basemapLayers,
  basemapStyle,
  pmtilesUrl,
  ROAD_LABEL_LAYERS,
  ROAD_LAYERS,
} from './basemap.ts';

const ORIGIN = 'http://127.0.0.1:8080/console';

describe('basemap style', () => {
  (globalThis as { location?: unknown }).location ??= { href: ORIGIN };
  const style = basemapStyle('/basemap/district.pmtiles');

  it('reads the archive from our own origin through pmtiles://', () => {
    expect(pmtilesUrl('/basemap/district.pmtiles', ORIGIN)).toBe(
      'pmtiles://http://127.0.0.1:8080/basemap/district.pmtiles',
    );
    expect(style.sources[BASEMAP_SOURCE]).toMatchObject({ type: 'vector' });
    expect((style.sources[BASEMAP_SOURCE] as { url: string }).url).toMatch(
      /^pmtiles:\/\/http:\/\/127\.0\.0\.1:8080\//,
    );
  });

  it('needs no glyph server, no sprite and no named fonts', () => {
    expect(style.glyphs).toBeUndefined();
    expect(style.sprite).toBeUndefined();
    const json = JSON.stringify(basemapLayers('zh-Hans')) + JSON.stringify(basemapLayers('en'));
    expect(json).not.toContain('text-font');
    expect(json).not.toContain('icon-image');
    expect(json).not.toMatch(/https?:/);
  });

  it('draws Protomaps roads and labels, prefixed, beneath all of our layers', () => {
    const ids = style.layers.map((l) => l.id);
    for (const id of [...ROAD_LAYERS, ...ROAD_LABEL_LAYERS]) expect(ids).toContain(id);
    const ours = overlayLayers().map((l) => l.id);
    const firstOurs = ids.indexOf(ours[0]!);
    expect(ids.slice(firstOurs)).toEqual(ours);
    expect(ids.slice(0, firstOurs).every((id) => id.startsWith(BASEMAP_PREFIX))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('labels in Chinese by default, in English with the local name for the English console', () => {
    const field = (lang: 'zh-Hans' | 'en') =>
      JSON.stringify(basemapLayers(lang).find((l) => l.id === 'bm-roads_labels_major')!.layout);
    expect(field('zh-Hans')).toContain('name:zh-Hans');
    expect(field('en')).toContain('name:en');
  });
});
