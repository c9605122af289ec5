/**
 * Pure builders from live state to the GeoJSON the map's sources hold. Properties carry only
 * what styling and hit-testing need (ids, enums, numbers); user text is looked up from the store
 * by id when a popup or a panel shows it.
 */
import type { Feature, FeatureCollection, Point, Polygon, MultiPolygon, Position } from 'geojson';
import type {
  CameraState,
  CameraStatus,
  GridCollection,
  GridLevel,
  Incident,
  LngLat,
  Operation,
  Resource,
  ResourceStatus,
  ResourceType,
  Severity,
  VideoAlert,
} from '../../../../shared/index.ts';
import { SEVERITY_COLORS } from '../../../../shared/common.ts';
import { circleRing } from '../war.ts';

export type Fc<P> = FeatureCollection<Point, P>;

export interface IncidentProps {
  id: string;
  severity: Severity;
  color: string;
  category: string;
  status: string;
  /** 1 when the incident is selected in the console. */
  selected: number;
  /** Wartime: 1 for the incident of an active operation, 0 otherwise. */
  focus: number;
  /** Wartime: 1 for every other incident (drawn quieter). */
  quiet: number;
}
export interface VideoAlertProps {
  id: string;
  type: string;
  status: string;
  /** 1 while the alert is new (not yet confirmed or dismissed): it pulses. */
  fresh: number;
  confidence: number;
  selected: number;
}
export interface CameraProps {
  id: string;
  kind: string;
  status: CameraStatus;
  /** 1 while the camera is offline: drawn hollow and grey, with a cross. */
  offline: number;
}
export interface ResourceProps {
  id: string;
  type: ResourceType;
  status: ResourceStatus;
  color: string;
  /** A short glyph per type, drawn as the symbol's text. */
  glyph: string;
  /** 1 while the resource serves an incident (dispatched … returning). */
  engaged: number;
  /** Wartime: 1 for resources not engaged (drawn quieter). */
  quiet: number;
}
export interface CordonProps {
  id: string;
  incidentId: string;
  level: number;
  color: string;
}
export interface GridLabelProps {
  id: string;
  level: GridLevel;
  name: string;
}

/** Colours for resource statuses (the fill of the resource marker). */
export const RESOURCE_STATUS_COLORS: Record<ResourceStatus, string> = {
  available: '#2ca25f',
  dispatched: '#e6550d',
  en_route: '#fd8d3c',
  on_scene: '#de2d26',
  returning: '#6baed6',
  out_of_service: '#969696',
};

/** One character per resource type, readable in both languages (drawn with local fonts). */
export const RESOURCE_GLYPHS: Record<ResourceType, string> = {
  fire_engine: '消',
  ambulance: '救',
  rescue_team: '援',
  police_unit: '警',
  gas_crew: '燃',
  water_crew: '水',
  power_crew: '电',
  excavator: '挖',
  sandbags: '沙',
  supplies: '物',
  shelter: '避',
};

/** The same for an English screen. */
export const RESOURCE_GLYPHS_EN: Record<ResourceType, string> = {
  fire_engine: 'F',
  ambulance: 'A',
  rescue_team: 'R',
  police_unit: 'P',
  gas_crew: 'G',
  water_crew: 'W',
  power_crew: 'E',
  excavator: 'X',
  sandbags: 'S',
  supplies: 'U',
  shelter: 'H',
};

export const VIDEO_ALERT_COLOR = '#b10dc9';
export const CAMERA_COLOR = '#4a5568';
/** Camera fill per status: an offline camera is grey (and hollow, see style.ts), unknown faint. */
export const CAMERA_STATUS_COLORS: Record<CameraStatus, string> = {
  online: CAMERA_COLOR,
  offline: '#a0aec0',
  unknown: '#a0aec0',
};

const point = (p: LngLat): Point => ({ type: 'Point', coordinates: [p.lng, p.lat] });

function fc<P>(features: Feature<Point, P>[]): Fc<P> {
  return { type: 'FeatureCollection', features };
}

/** Open incidents (status other than closed), most severe drawn last (on top). */
export function incidentsGeoJSON(
  incidents: Iterable<Incident>,
  selectedId: string | null = null,
  /** Wartime: the incidents of active operations; null in peacetime (nothing is quiet). */
  focusIds: ReadonlySet<string> | null = null,
): Fc<IncidentProps> {
  const list = [...incidents].filter((i) => i.status !== 'closed' && i.status !== 'voided');
  list.sort((a, b) => b.severity - a.severity);
  return fc(
    list.map((i) => ({
      type: 'Feature',
      geometry: point(i.location),
      properties: {
        id: i.id,
        severity: i.severity,
        color: SEVERITY_COLORS[i.severity],
        category: i.category,
        status: i.status,
        selected: i.id === selectedId ? 1 : 0,
        focus: focusIds?.has(i.id) ? 1 : 0,
        quiet: focusIds && !focusIds.has(i.id) ? 1 : 0,
      },
    })),
  );
}

/** Open cases (neither closed nor voided) as weighted points for the density layer; none in wartime. */
export function densityGeoJSON(incidents: Iterable<Incident>, wartime: boolean): Fc<{ severity: number }> {
  if (wartime) return fc([]);
  const out: Feature<Point, { severity: number }>[] = [];
  for (const i of incidents)
    if (i.status !== 'closed' && i.status !== 'voided' && !i.outsideDistrict)
      out.push({ type: 'Feature', geometry: point(i.location), properties: { severity: i.severity } });
  return fc(out);
}

/** At most this many video alerts are drawn (a storm leaves thousands unreviewed). */
export const MAP_ALERTS_MAX = 1500;

/**
 * Video alerts still worth drawing: new ones first, then confirmed ones, newest first within
 * each, at most `max` (dismissed ones leave the map). The selected one is always kept.
 */
export function videoAlertsGeoJSON(
  alerts: Iterable<VideoAlert>,
  selectedId: string | null = null,
  max = MAP_ALERTS_MAX,
): Fc<VideoAlertProps> {
  const fresh: VideoAlert[] = [];
  const confirmed: VideoAlert[] = [];
  let selected: VideoAlert | null = null;
  for (const a of alerts) {
    if (a.id === selectedId) selected = a;
    if (a.status === 'new') fresh.push(a);
    else if (a.status === 'confirmed') confirmed.push(a);
  }
  const newest = (x: VideoAlert, y: VideoAlert) =>
    x.createdAt < y.createdAt ? 1 : x.createdAt > y.createdAt ? -1 : 0;
  let list = [...fresh.sort(newest), ...confirmed.sort(newest)].slice(0, max);
  if (selected && selected.status !== 'dismissed' && !list.includes(selected)) list = [...list, selected];
  // oldest first, so the newest draw on top
  list.reverse();
  return fc(
    list.map((a) => ({
      type: 'Feature',
      geometry: point(a.location),
      properties: {
        id: a.id,
        type: a.type,
        status: a.status,
        fresh: a.status === 'new' ? 1 : 0,
        confidence: a.confidence,
        selected: a.id === selectedId ? 1 : 0,
      },
    })),
  );
}

/** A camera without a status (a register entry from an older server) is drawn as unknown. */
export function camerasGeoJSON(
  cameras: Iterable<Pick<CameraState, 'id' | 'kind' | 'location'> & { status?: CameraStatus }>,
): Fc<CameraProps> {
  return fc(
    [...cameras].map((c) => {
      const status = c.status ?? 'unknown';
      return {
        type: 'Feature',
        geometry: point(c.location),
        properties: { id: c.id, kind: c.kind, status, offline: status === 'offline' ? 1 : 0 },
      };
    }),
  );
}

export function resourcesGeoJSON(
  resources: Iterable<Resource>,
  glyphs: Record<ResourceType, string> = RESOURCE_GLYPHS,
  wartime = false,
): Fc<ResourceProps> {
  const list = [...resources].map((r) => {
    const engaged =
      r.incidentId !== null && r.status !== 'available' && r.status !== 'out_of_service' ? 1 : 0;
    return {
      type: 'Feature' as const,
      geometry: point(r.location),
      properties: {
        id: r.id,
        type: r.type,
        status: r.status,
        color: RESOURCE_STATUS_COLORS[r.status],
        glyph: glyphs[r.type],
        engaged,
        quiet: wartime && !engaged ? 1 : 0,
      },
    };
  });
  // engaged ones last: drawn on top
  list.sort((a, b) => a.properties.engaged - b.properties.engaged);
  return fc(list);
}

/** The cordon circle of each active operation, around its incident. */
export function cordonsGeoJSON(
  operations: Iterable<Operation>,
  incidentOf: (id: string) => Incident | undefined,
): FeatureCollection<Polygon, CordonProps> {
  const features: Feature<Polygon, CordonProps>[] = [];
  for (const o of operations) {
    if (o.status !== 'active') continue;
    const inc = incidentOf(o.incidentId);
    if (!inc) continue;
    features.push({
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: [circleRing(inc.location, o.cordonRadiusM)] },
      properties: { id: o.id, incidentId: o.incidentId, level: o.level, color: SEVERITY_COLORS[o.level] },
    });
  }
  return { type: 'FeatureCollection', features };
}

/** Signed area-weighted centroid of a ring (falls back to the vertex mean for degenerate rings). */
export function ringCentroid(ring: Position[]): [number, number] {
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [x0, y0] = ring[j];
    const [x1, y1] = ring[i];
    const f = x0 * y1 - x1 * y0;
    a += f;
    cx += (x0 + x1) * f;
    cy += (y0 + y1) * f;
  }
  if (Math.abs(a) < 1e-12) {
    const n = ring.length || 1;
    return [ring.reduce((s, p) => s + p[0], 0) / n, ring.reduce((s, p) => s + p[1], 0) / n];
  }
  return [cx / (3 * a), cy / (3 * a)];
}

function ringArea(ring: Position[]): number {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++)
    a += ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
  return Math.abs(a / 2);
}

/** Even-odd point-in-ring test. */
export function pointInRing(p: [number, number], ring: Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Where to put a grid's label: the centroid of its largest outer ring, or, for a concave shape
 * whose centroid falls outside, the middle of the widest horizontal chord through it.
 */
export function labelPoint(geometry: Polygon | MultiPolygon): [number, number] {
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let best = polys[0][0];
  let bestArea = -1;
  for (const p of polys) {
    const area = ringArea(p[0]);
    if (area > bestArea) {
      bestArea = area;
      best = p[0];
    }
  }
  const c = ringCentroid(best);
  if (pointInRing(c, best)) return c;
  // widest chord along the centroid's latitude
  const xs: number[] = [];
  for (let i = 0, j = best.length - 1; i < best.length; j = i++) {
    const [xi, yi] = best[i];
    const [xj, yj] = best[j];
    if (yi > c[1] !== yj > c[1]) xs.push(((xj - xi) * (c[1] - yi)) / (yj - yi) + xi);
  }
  xs.sort((a, b) => a - b);
  let wide = -1;
  let mid = c[0];
  for (let k = 0; k + 1 < xs.length; k += 2) {
    if (xs[k + 1] - xs[k] > wide) {
      wide = xs[k + 1] - xs[k];
      mid = (xs[k] + xs[k + 1]) / 2;
    }
  }
  return [mid, c[1]];
}

export function gridLabelsGeoJSON(grid: GridCollection): Fc<GridLabelProps> {
  return fc(
    grid.features.map((f) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: labelPoint(f.geometry) },
      properties: { id: f.properties.id, level: f.properties.level, name: f.properties.name },
    })),
  );
}

/** [[west, south], [east, north]] of every position in the grid, or null when it is empty. */
export function gridBounds(grid: GridCollection): [[number, number], [number, number]] | null {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const f of grid.features) {
    const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const p of polys)
      for (const ring of p)
        for (const [x, y] of ring) {
          if (x < w) w = x;
          if (x > e) e = x;
          if (y < s) s = y;
          if (y > n) n = y;
        }
  }
  return Number.isFinite(w)
    ? [
        [w, s],
        [e, n],
      ]
    : null;
}

export function emptyFc<P>(): Fc<P> {
  return fc<P>([]);
}
