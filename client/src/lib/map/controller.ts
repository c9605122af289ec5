/**
 * Owns one MapLibre map: adds the overlay sources and layers, updates each source at most once
 * per applied batch, pulses new video alerts, toggles layer groups and shows text-only popups.
 */
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { GeoJSONSource, MapGeoJSONFeature, MapLayerMouseEvent, StyleSpecification } from 'maplibre-gl';
import type {
  Camera,
  GridCollection,
  Incident,
  Mode,
  Operation,
  Resource,
  VideoAlert,
} from '../../../../shared/index.ts';
import { circleBounds, focusIncidentIds, frameRadiusM } from '../war.ts';
import type { Changes } from '../live/apply-events.ts';
import {
  camerasGeoJSON,
  cordonsGeoJSON,
  densityGeoJSON,
  gridBounds,
  gridLabelsGeoJSON,
  incidentsGeoJSON,
  RESOURCE_GLYPHS,
  RESOURCE_GLYPHS_EN,
  resourcesGeoJSON,
  videoAlertsGeoJSON,
} from './geojson.ts';
import { basemapStyle, registerPmtiles, relabelBasemap } from './basemap.ts';
import {
  GROUP_LAYERS,
  LOCAL_FONTS,
  offlineStyle,
  overlayLayers,
  overlaySources,
  SRC,
  type LayerGroup,
} from './style.ts';

maplibregl.setWorkerUrl(workerUrl);
registerPmtiles(maplibregl);

/** At most this many alerts pulse at once (the newest); the rest still show as dots. */
export const PULSE_MAX = 60;
/** Minimum time between two source rewrites; longer while the feed is storming. */
export const FLUSH_INTERVAL_MS = 250;
export const FLUSH_INTERVAL_BUSY_MS = 1500;
/** More batches than this between two rewrites means a storm. */
const BUSY_BATCHES = 4;

/**
 * How long to wait between two source rewrites. Each rewrite costs the page a few map renders;
 * when the page falls behind the feed (a storm on a weak or GPU-less machine, where every WebGL
 * frame is read back in software), the map updates less often so the live state, the ticker and
 * the figures keep up. A quiet feed is drawn within FLUSH_INTERVAL_MS.
 */
export function flushInterval(busy: boolean, lagMs: number | null): number {
  if (lagMs !== null && lagMs > 5000) return 8000;
  if (lagMs !== null && lagMs > 2000) return 4000;
  return busy ? FLUSH_INTERVAL_BUSY_MS : FLUSH_INTERVAL_MS;
}

export type Selection = { kind: 'incident' | 'video_alert'; id: string } | null;

export interface MapDataSource {
  incidents: readonly Incident[];
  videoAlerts: readonly VideoAlert[];
  resources: readonly Resource[];
  cameras: readonly Camera[];
  grid: GridCollection | null;
  operations: readonly Operation[];
  mode: Mode;
}

/** Where a wartime map looks: an operation's incident and its cordon. */
export interface MapFocus {
  id: string;
  lng: number;
  lat: number;
  radiusM: number;
}

export interface PopupText {
  /** Lines of plain text for a feature's popup: [title, ...details]. */
  (
    layerKind: 'incident' | 'video_alert' | 'resource' | 'camera' | 'cluster',
    id: string,
    f: MapGeoJSONFeature,
  ): string[] | null;
}

export interface MapControllerOptions {
  container: HTMLElement;
  styleUrl: string | null;
  /** The district's PMTiles basemap (config `basemapUrl`); used when there is no `styleUrl`. */
  basemapUrl?: string | null;
  data: MapDataSource;
  /** Click on an incident or alert: the console selects it; null keeps default popups. */
  onSelect?: (sel: Selection) => void;
  /** Click on a camera (besides its popup): the console opens its panel. */
  onCamera?: (id: string) => void;
  popupText?: PopupText;
  interactive?: boolean;
  onStyleError?: () => void;
  /** How far behind the feed the page is (ms), to slow map updates down when it falls behind. */
  lagMs?: () => number | null;
}

declare global {
  interface Window {
    __pzMap?: maplibregl.Map;
  }
}

export class MapController {
  readonly map: maplibregl.Map;
  private ready = false;
  private dirty: Changes & { grid: boolean; cameras: boolean; selection: boolean } = {
    incidents: true,
    videoAlerts: true,
    resources: true,
    operations: true,
    mode: true,
    reports: false,
    dispatches: false,
    warnings: false,
    grid: true,
    cameras: true,
    selection: true,
  };
  private selection: Selection = null;
  private hidden = new Set<LayerGroup>();
  private pulses = new Map<string, maplibregl.Marker>();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private lastFlush = -Infinity;
  private pendingBatches = 0;
  private english = false;
  private busy = false;
  private popup: maplibregl.Popup | null = null;
  private fitted = false;
  private usedFallback = false;
  /** Counts source updates, for tests: each batch must touch each source at most once. */
  readonly updates: Record<string, number> = {};

  constructor(private opts: MapControllerOptions) {
    // MAP_STYLE_URL wins (its style may itself use our archive); then the basemap; else built-in.
    const style: string | StyleSpecification =
      opts.styleUrl ?? (opts.basemapUrl ? basemapStyle(opts.basemapUrl) : offlineStyle());
    this.map = new maplibregl.Map({
      container: opts.container,
      style,
      center: [116.3, 39.96],
      zoom: 11,
      attributionControl: false,
      localIdeographFontFamily: LOCAL_FONTS,
      interactive: opts.interactive ?? true,
      fadeDuration: 0,
    });
    if (opts.interactive !== false)
      this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    this.map.on('style.load', () => this.onStyleLoad());
    this.map.on('error', (e) => {
      // a remote style that fails falls back to the offline one, once
      if (!this.ready && opts.styleUrl && !this.usedFallback) {
        this.usedFallback = true;
        opts.onStyleError?.();
        this.map.setStyle(offlineStyle());
      } else if (e?.error) {
        console.warn('[map]', e.error.message);
      }
    });
    // A handle for the browser tests; never in a production build.
    if (import.meta.env.MODE !== 'production') window.__pzMap = this.map;
    this.bindInteractions();
  }

  private onStyleLoad(): void {
    const style = this.map.getStyle();
    const sources = overlaySources();
    for (const [id, src] of Object.entries(sources)) if (!style.sources[id]) this.map.addSource(id, src);
    for (const layer of overlayLayers()) if (!this.map.getLayer(layer.id)) this.map.addLayer(layer);
    this.ready = true;
    for (const k of Object.keys(this.dirty) as (keyof typeof this.dirty)[]) this.dirty[k] = true;
    for (const g of this.hidden) this.applyVisibility(g);
    if (this.english && this.usesBasemap()) relabelBasemap(this.map, 'en');
    this.flush();
  }

  private usesBasemap(): boolean {
    return !this.opts.styleUrl && !!this.opts.basemapUrl;
  }

  /** Mark what changed; the sources are rewritten on the next `flush()`. */
  markChanged(ch: Partial<Changes & { grid: boolean; cameras: boolean }>): void {
    for (const [k, v] of Object.entries(ch))
      if (v) (this.dirty as unknown as Record<string, boolean>)[k] = true;
  }

  /**
   * Flush soon, but no more often than every FLUSH_INTERVAL_MS: in a storm, several applied
   * batches coalesce into one rewrite of each source (the worker re-clusters on every setData).
   */
  requestFlush(): void {
    this.pendingBatches++;
    if (this.flushTimer !== null) return;
    const interval = flushInterval(this.busy, this.opts.lagMs?.() ?? null);
    const wait = Math.max(0, this.lastFlush + interval - performance.now());
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, wait);
  }

  /** Rewrite each dirty source once. */
  flush(): void {
    this.lastFlush = performance.now();
    // a storm: several batches piled up since the last rewrite, so space the next ones out
    this.busy = this.pendingBatches > BUSY_BATCHES;
    this.pendingBatches = 0;
    if (!this.ready) return;
    const d = this.opts.data;
    const sel = this.selection;
    const set = (id: string, data: GeoJSON.FeatureCollection) => {
      const s = this.map.getSource(id) as GeoJSONSource | undefined;
      if (!s) return;
      void s.setData(data);
      this.updates[id] = (this.updates[id] ?? 0) + 1;
    };
    if (this.dirty.grid && d.grid) {
      set(SRC.grid, d.grid as GeoJSON.FeatureCollection);
      set(SRC.gridLabels, gridLabelsGeoJSON(d.grid));
      this.dirty.grid = false;
      if (!this.fitted) {
        const b = gridBounds(d.grid);
        if (b) {
          this.map.fitBounds(b, { padding: 24, animate: false });
          this.fitted = true;
        }
      }
    }
    if (this.dirty.cameras) {
      set(SRC.cameras, camerasGeoJSON(d.cameras));
      this.dirty.cameras = false;
    }
    const wartime = d.mode.state === 'wartime';
    // the mode and the operations decide what is drawn quieter and where the cordons are
    const posture = this.dirty.mode || this.dirty.operations;
    if (this.dirty.resources || this.dirty.mode) {
      set(
        SRC.resources,
        resourcesGeoJSON(d.resources, this.english ? RESOURCE_GLYPHS_EN : RESOURCE_GLYPHS, wartime),
      );
      this.dirty.resources = false;
    }
    if (posture || this.dirty.incidents) {
      const byId = new Map(d.incidents.map((i) => [i.id, i]));
      set(
        SRC.cordons,
        cordonsGeoJSON(d.operations, (id) => byId.get(id)),
      );
    }
    if (this.dirty.incidents || posture) set(SRC.density, densityGeoJSON(d.incidents, wartime));
    if (this.dirty.incidents || this.dirty.selection || posture) {
      set(
        SRC.incidents,
        incidentsGeoJSON(
          d.incidents,
          sel?.kind === 'incident' ? sel.id : null,
          wartime ? focusIncidentIds(d.operations) : null,
        ),
      );
      this.dirty.incidents = false;
    }
    this.dirty.mode = false;
    this.dirty.operations = false;
    const alertsChanged = this.dirty.videoAlerts;
    if (this.dirty.videoAlerts || this.dirty.selection) {
      set(SRC.alerts, videoAlertsGeoJSON(d.videoAlerts, sel?.kind === 'video_alert' ? sel.id : null));
      this.dirty.videoAlerts = false;
    }
    this.dirty.selection = false;
    if (alertsChanged) this.updatePulse();
  }

  /** Resource markers carry a type character: Chinese or Latin with the page's language. */
  setEnglish(english: boolean): void {
    if (english === this.english) return;
    this.english = english;
    if (this.ready && this.usesBasemap()) relabelBasemap(this.map, english ? 'en' : 'zh-Hans');
    this.dirty.resources = true;
    this.flush();
  }

  setSelection(sel: Selection): void {
    const same = sel?.id === this.selection?.id && sel?.kind === this.selection?.kind;
    if (same) return;
    this.selection = sel;
    this.dirty.selection = true;
    this.flush();
  }

  setGroupVisible(group: LayerGroup, visible: boolean): void {
    if (visible) this.hidden.delete(group);
    else this.hidden.add(group);
    if (this.ready) this.applyVisibility(group);
  }

  private applyVisibility(group: LayerGroup): void {
    const v = this.hidden.has(group) ? 'none' : 'visible';
    for (const id of GROUP_LAYERS[group])
      if (this.map.getLayer(id)) this.map.setLayoutProperty(id, 'visibility', v);
  }

  /** Frame an operation: its incident and cordon fill the map, with the approach around it. */
  frame(focus: MapFocus): void {
    this.fitted = true;
    this.map.fitBounds(circleBounds(focus, frameRadiusM(focus.radiusM)), {
      padding: 30,
      duration: 800,
      essential: true,
    });
  }

  /** Back to the whole district (peacetime). */
  frameDistrict(): void {
    const b = this.opts.data.grid ? gridBounds(this.opts.data.grid) : null;
    if (b) this.map.fitBounds(b, { padding: 24, duration: 800, essential: true });
  }

  flyTo(lng: number, lat: number, zoom = 15): void {
    this.map.flyTo({
      center: [lng, lat],
      zoom: Math.max(zoom, this.map.getZoom()),
      speed: 1.6,
      essential: true,
    });
  }

  /**
   * Pulse new alerts with CSS-animated DOM markers (newest PULSE_MAX): the compositor animates
   * them, so the map itself stays idle between real changes instead of repainting every frame.
   */
  private updatePulse(): void {
    const fresh = this.opts.data.videoAlerts
      .filter((a) => a.status === 'new')
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))
      .slice(0, PULSE_MAX);
    const keep = new Set(fresh.map((a) => a.id));
    for (const [id, m] of this.pulses) {
      if (!keep.has(id)) {
        m.remove();
        this.pulses.delete(id);
      }
    }
    for (const a of fresh) {
      const existing = this.pulses.get(a.id);
      if (existing) {
        existing.setLngLat([a.location.lng, a.location.lat]);
        continue;
      }
      const el = document.createElement('div');
      el.className = 'pz-pulse';
      el.dataset.id = a.id;
      const m = new maplibregl.Marker({ element: el })
        .setLngLat([a.location.lng, a.location.lat])
        .addTo(this.map);
      this.pulses.set(a.id, m);
    }
  }

  private bindInteractions(): void {
    const clickable: Array<[string, 'incident' | 'video_alert' | 'resource' | 'camera' | 'cluster']> = [
      ['pz-incident-clusters', 'cluster'],
      ['pz-incidents', 'incident'],
      ['pz-alerts', 'video_alert'],
      ['pz-resources', 'resource'],
      ['pz-cameras', 'camera'],
    ];
    for (const [layer] of clickable) {
      this.map.on('mouseenter', layer, () => (this.map.getCanvas().style.cursor = 'pointer'));
      this.map.on('mouseleave', layer, () => (this.map.getCanvas().style.cursor = ''));
    }
    this.map.on('click', (e: MapLayerMouseEvent) => {
      const layers = clickable.map(([l]) => l).filter((l) => this.map.getLayer(l));
      const hits = this.map.queryRenderedFeatures(e.point, { layers });
      const f = hits[0];
      if (!f) return;
      const kind = clickable.find(([l]) => l === f.layer.id)![1];
      if (kind === 'cluster') {
        const src = this.map.getSource(SRC.incidents) as GeoJSONSource;
        const clusterId = f.properties.cluster_id as number;
        void src.getClusterExpansionZoom(clusterId).then((z) => {
          const [lng, lat] = (f.geometry as GeoJSON.Point).coordinates;
          this.map.easeTo({ center: [lng, lat], zoom: z + 0.5 });
        });
        return;
      }
      const id = String(f.properties.id);
      if ((kind === 'incident' || kind === 'video_alert') && this.opts.onSelect) {
        this.opts.onSelect({ kind, id });
        return;
      }
      if (kind === 'camera') this.opts.onCamera?.(id);
      this.showPopup(kind, id, f, e.lngLat);
    });
  }

  /** A popup built from DOM text nodes: user text can never become markup. */
  showPopup(
    kind: 'incident' | 'video_alert' | 'resource' | 'camera' | 'cluster',
    id: string,
    f: MapGeoJSONFeature,
    at: maplibregl.LngLatLike,
  ): void {
    const lines = this.opts.popupText?.(kind, id, f);
    if (!lines || lines.length === 0) return;
    const root = document.createElement('div');
    root.className = 'pz-popup';
    lines.forEach((line, i) => {
      const el = document.createElement(i === 0 ? 'strong' : 'div');
      el.textContent = line;
      root.appendChild(el);
    });
    this.popup?.remove();
    this.popup = new maplibregl.Popup({ closeButton: true, maxWidth: '320px' })
      .setLngLat(at)
      .setDOMContent(root)
      .addTo(this.map);
  }

  destroy(): void {
    for (const m of this.pulses.values()) m.remove();
    this.pulses.clear();
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.popup?.remove();
    if (import.meta.env.MODE !== 'production' && window.__pzMap === this.map) delete window.__pzMap;
    this.map.remove();
  }
}
