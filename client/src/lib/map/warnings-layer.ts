/**
 * Early warnings (CAP) on a MapLibre map: the areas filled and outlined in the warning's colour,
 * drills dashed and labelled, the headline in a text-only popup on hover. Its own source and
 * layers, added on every `style.load` (a basemap swap with `setStyle` drops them), so the
 * MapController and whatever basemap it draws need to know nothing of warnings.
 */
import * as maplibregl from 'maplibre-gl';
import type { FilterSpecification, GeoJSONSource, LayerSpecification, MapLayerMouseEvent } from 'maplibre-gl';
import type { Warning } from '../../../../shared/warning.ts';
import { TEXT_FONT_BOLD } from './style.ts';
import {
  WARNING_COLOURS,
  WARNING_LAYERS,
  WARNINGS_SOURCE,
  warningBounds,
  warningsGeoJSON,
} from './warnings-geojson.ts';

export { WARNING_COLOURS, WARNING_LAYERS };

/** Under the grid's labels and every marker: an area is background to what happens inside it. */
const BELOW = ['pz-grid-label-district', 'pz-density', 'pz-cordon-fill'];

/** Frame a warning's area on `map`; false when it has no shape (geocodes only). */
export function fitWarning(map: maplibregl.Map, w: Warning): boolean {
  const b = warningBounds(w);
  if (!b) return false;
  map.fitBounds(b, { padding: 40, duration: 600, maxZoom: 15, essential: true });
  return true;
}

const colourExpr = [
  'match',
  ['get', 'colour'],
  ...Object.entries(WARNING_COLOURS).flat(),
  WARNING_COLOURS.blue,
] as unknown as string;

function layers(): LayerSpecification[] {
  const isDrill: FilterSpecification = ['==', ['get', 'drill'], 1];
  const isLive: FilterSpecification = ['==', ['get', 'drill'], 0];
  return [
    {
      id: WARNING_LAYERS.fill,
      type: 'fill',
      source: WARNINGS_SOURCE,
      layout: { 'fill-sort-key': ['get', 'rank'] },
      paint: { 'fill-color': colourExpr, 'fill-opacity': ['case', isDrill, 0.1, 0.2] },
    },
    {
      id: WARNING_LAYERS.line,
      type: 'line',
      source: WARNINGS_SOURCE,
      filter: isLive,
      paint: { 'line-color': colourExpr, 'line-width': 2.5 },
    },
    {
      id: WARNING_LAYERS.drillLine,
      type: 'line',
      source: WARNINGS_SOURCE,
      filter: isDrill,
      paint: { 'line-color': colourExpr, 'line-width': 2, 'line-dasharray': [3, 2] },
    },
    {
      id: WARNING_LAYERS.label,
      type: 'symbol',
      source: WARNINGS_SOURCE,
      layout: {
        'text-field': ['get', 'label'],
        'text-font': TEXT_FONT_BOLD,
        'text-size': 13,
        'text-allow-overlap': false,
      },
      paint: { 'text-color': colourExpr, 'text-halo-color': '#0b1826', 'text-halo-width': 1.5 },
    },
  ];
}

export interface WarningsLayerOptions {
  /** Lines of plain text for the hover popup: [headline, ...details]. */
  describe: (w: Warning) => string[];
  /** The word drills are labelled with (演练 / Drill). */
  drillLabel: () => string;
}

/** Owns the warnings source and layers of one map; `set()` replaces what is drawn. */
export class WarningsLayer {
  private warnings: readonly Warning[] = [];
  private byId = new Map<string, Warning>();
  private popup: maplibregl.Popup | null = null;
  private hovered: string | null = null;

  constructor(
    private readonly map: maplibregl.Map,
    private readonly opts: WarningsLayerOptions,
  ) {
    map.on('style.load', this.install);
    if (map.isStyleLoaded()) this.install();
    map.on('mousemove', WARNING_LAYERS.fill, this.onHover);
    map.on('mouseleave', WARNING_LAYERS.fill, this.onLeave);
  }

  set(warnings: readonly Warning[]): void {
    this.warnings = warnings;
    this.byId = new Map(warnings.map((w) => [w.id, w]));
    this.draw();
    if (this.hovered && !this.byId.has(this.hovered)) this.onLeave();
  }

  /** Redraw the labels (the language changed). */
  refresh(): void {
    this.draw();
  }

  destroy(): void {
    this.map.off('style.load', this.install);
    this.map.off('mousemove', WARNING_LAYERS.fill, this.onHover);
    this.map.off('mouseleave', WARNING_LAYERS.fill, this.onLeave);
    this.popup?.remove();
  }

  private install = (): void => {
    if (!this.map.getSource(WARNINGS_SOURCE))
      this.map.addSource(WARNINGS_SOURCE, {
        type: 'geojson',
        data: { type: 'FeatureCollection', features: [] },
      });
    const before = BELOW.find((id) => this.map.getLayer(id));
    for (const layer of layers()) if (!this.map.getLayer(layer.id)) this.map.addLayer(layer, before);
    this.draw();
  };

  private draw(): void {
    const src = this.map.getSource(WARNINGS_SOURCE) as GeoJSONSource | undefined;
    if (src) void src.setData(warningsGeoJSON(this.warnings, this.opts.drillLabel()));
  }

  private onHover = (e: MapLayerMouseEvent): void => {
    // the most severe area under the pointer (features come topmost first, but sort to be sure)
    const top = [...(e.features ?? [])].sort(
      (a, b) => Number(b.properties.rank) - Number(a.properties.rank),
    )[0];
    const w = top ? this.byId.get(String(top.properties.id)) : undefined;
    if (!w) return this.onLeave();
    this.map.getCanvas().style.cursor = 'help';
    if (this.hovered !== w.id || !this.popup) {
      this.hovered = w.id;
      this.popup?.remove();
      this.popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false, maxWidth: '340px' })
        .setDOMContent(popupContent(w, this.opts.describe(w)))
        .setLngLat(e.lngLat)
        .addTo(this.map);
    } else this.popup.setLngLat(e.lngLat);
  };

  private onLeave = (): void => {
    this.hovered = null;
    this.popup?.remove();
    this.popup = null;
    this.map.getCanvas().style.cursor = '';
  };
}

/** Text nodes only: a CAP headline is someone else's text and must never become markup. */
function popupContent(w: Warning, lines: string[]): HTMLElement {
  const root = document.createElement('div');
  root.className = 'pz-popup pz-warning-popup';
  root.dataset.warningId = w.id;
  root.style.borderLeft = `4px solid ${WARNING_COLOURS[w.colour]}`;
  root.style.paddingLeft = '6px';
  lines.forEach((line, i) => {
    const el = document.createElement(i === 0 ? 'strong' : 'div');
    el.textContent = line;
    root.appendChild(el);
  });
  return root;
}
