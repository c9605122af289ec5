import { distanceM, type LngLat, type Severity } from '../../shared/common.ts';
import type { Camera } from '../../shared/camera.ts';
import type { GridCollection, GridFeature } from '../../shared/grid.ts';
import type { IncidentIntake } from '../../shared/incident.ts';
import type { VideoAlertIntake } from '../../shared/video-alert.ts';
import {
  ALERT_FOR_CATEGORY,
  ALERTS_BY_CAMERA,
  CASE_TEMPLATES,
  CASE_WEIGHTS,
  EMERGENCY_TEMPLATES,
  EMERGENCY_WEIGHTS,
  FOLLOW_UP_SOURCES,
  SOURCES,
  fill,
  type Template,
} from './catalog.ts';
import { bbox, jitter, randomPointIn, type BBox } from './geo.ts';
import { Rng } from './prng.ts';
import { ArrivalProcess, type RateOptions, type StreamName } from './rates.ts';

export type Place = {
  id: string;
  name: string;
  streetName: string;
  geometry: GridFeature['geometry'];
  box: BBox;
};

/** Communities of the grid, each with its street's name, ready for sampling. */
export function placesFromGrid(fc: GridCollection): Place[] {
  const names = new Map(fc.features.map((f) => [f.properties.id, f.properties.name]));
  return fc.features
    .filter((f) => f.properties.level === 'community')
    .map((f) => ({
      id: f.properties.id,
      name: shortName(f.properties.name),
      streetName: names.get(f.properties.parentId ?? '') ?? '',
      geometry: f.geometry,
      box: bbox(f.geometry),
    }));
}

export type Planned =
  | { at: number; stream: StreamName | 'follow-up'; kind: 'incident'; body: IncidentIntake }
  | { at: number; stream: StreamName | 'follow-up'; kind: 'video'; body: VideoAlertIntake };

export type SimulationOptions = {
  seed: number | string;
  /** Part of every externalId: the same seed and run id post the very same reports again. */
  runId: string;
  places: Place[];
  cameras: Camera[];
  /** Simulated second of the day the run starts at (0 = midnight). */
  startAt: number;
  rates?: RateOptions;
};

/** Share of reports that somebody else reports again minutes later, a stone's throw away. */
export const DUPLICATE_SHARE = 0.12;
/** Share of cases that happen in front of a camera, which then raises a matching alert. */
export const CAMERA_CASE_SHARE = 0.08;
/** Radius within which a near-duplicate lands (the server merges within 300 m). */
export const DUPLICATE_RADIUS_M = 100;

const STREAMS: StreamName[] = ['appeal', 'video', 'community', 'grid', 'emergency'];

/**
 * A deterministic day at the centre: Poisson arrivals per stream, each turned into a report body
 * that passes the intake schemas, plus the follow-ups a real incident draws (more callers, a
 * camera seeing it). The same options give the same items in the same order, however `due` is
 * called.
 */
export class Simulation {
  private readonly processes: ArrivalProcess[];
  private readonly content: Rng;
  private followUps: Planned[] = [];
  private readonly counters = new Map<string, number>();
  private readonly camerasByKind = new Map<Camera['kind'], Camera[]>();

  constructor(private readonly opts: SimulationOptions) {
    if (opts.places.length === 0) throw new Error('no communities to place reports in');
    if (opts.cameras.length === 0) throw new Error('no cameras for video alerts');
    const root = new Rng(opts.seed);
    this.processes = STREAMS.map((s) => new ArrivalProcess(s, root.fork(s), opts.startAt, opts.rates));
    this.content = root.fork('content');
    for (const c of opts.cameras)
      this.camerasByKind.set(c.kind, [...(this.camerasByKind.get(c.kind) ?? []), c]);
  }

  /** Every item due up to simulated second `until`, in time order. */
  due(until: number): Planned[] {
    const out: Planned[] = [];
    for (;;) {
      let next: ArrivalProcess | null = null;
      for (const p of this.processes) if (!next || p.peek() < next.peek()) next = p;
      const follow = this.followUps[0];
      if (follow && follow.at <= next!.peek()) {
        if (follow.at > until) break;
        out.push(this.followUps.shift()!);
        continue;
      }
      if (next!.peek() > until) break;
      const at = next!.take();
      out.push(this.generate(next!.stream, at));
    }
    return out;
  }

  private id(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${this.opts.runId}-${prefix}${n}`;
  }

  private generate(stream: StreamName, at: number): Planned {
    const r = this.content;
    if (stream === 'video') {
      const camera = r.pick(this.opts.cameras);
      return {
        at,
        stream,
        kind: 'video',
        body: this.videoBody(camera, r.weighted(ALERTS_BY_CAMERA[camera.kind])),
      };
    }
    const emergency = stream === 'emergency';
    const category = r.weighted(emergency ? EMERGENCY_WEIGHTS : CASE_WEIGHTS[stream]);
    const templates = emergency ? EMERGENCY_TEMPLATES : CASE_TEMPLATES;
    const template = templates.find((t) => t.category === category)!;
    // Emergencies are often where cameras are (markets, crossings); some cases too.
    const nearCamera = r.chance(emergency ? 0.5 : CAMERA_CASE_SHARE) ? r.pick(this.opts.cameras) : null;
    const { location, place, label } = nearCamera
      ? { ...this.nearestPlace(nearCamera.location), location: jitter(nearCamera.location, 150, r) }
      : this.randomLocation();
    const where = nearCamera ? cameraSpot(nearCamera) : place.name;
    const body: IncidentIntake = {
      source: r.pick(SOURCES[stream]),
      externalId: this.id(stream[0]),
      kind: emergency ? 'emergency' : 'case',
      category,
      title: fill(r.pick(template.titles), where),
      description: r.pick(template.details),
      location,
      address: label,
      severity: emergency ? r.weighted(EMERGENCY_SEVERITY) : r.weighted(CASE_SEVERITY),
    };
    this.planFollowUps(at, body, where, template, emergency, nearCamera);
    return { at, stream, kind: 'incident', body };
  }

  private planFollowUps(
    at: number,
    first: IncidentIntake,
    where: string,
    template: Template,
    emergency: boolean,
    camera: Camera | null,
  ): void {
    const r = this.content;
    const repeats = emergency ? r.int(2, 5) : r.chance(DUPLICATE_SHARE) ? 1 : 0;
    for (let i = 0; i < repeats; i++) {
      const body: IncidentIntake = {
        ...first,
        source: r.pick(FOLLOW_UP_SOURCES),
        externalId: this.id('f'),
        title: fill(r.pick(template.titles), where),
        description: `再次来电：${r.pick(template.details)}`,
        location: jitter(first.location, DUPLICATE_RADIUS_M, r),
        // A second caller rarely grades it worse than the first did.
        severity: first.severity,
      };
      this.schedule({
        at: at + r.range(60, emergency ? 1200 : 1800),
        stream: 'follow-up',
        kind: 'incident',
        body,
      });
    }
    const type = ALERT_FOR_CATEGORY[first.category];
    if (camera && type) {
      const alerts = emergency ? r.int(1, 3) : 1;
      for (let i = 0; i < alerts; i++) {
        this.schedule({
          at: at + r.range(30, 900),
          stream: 'follow-up',
          kind: 'video',
          body: this.videoBody(camera, type, 'fv'),
        });
      }
    }
  }

  private videoBody(camera: Camera, type: VideoAlertIntake['type'], prefix = 'v'): VideoAlertIntake {
    return {
      cameraId: camera.id,
      type,
      confidence: Math.round(this.content.range(0.55, 0.99) * 100) / 100,
      externalId: this.id(prefix),
    };
  }

  private schedule(item: Planned): void {
    // Insert in time order; ties keep insertion order so the sequence stays deterministic.
    let i = this.followUps.length;
    while (i > 0 && this.followUps[i - 1].at > item.at) i--;
    this.followUps.splice(i, 0, item);
  }

  private randomLocation(): { location: LngLat; place: Place; label: string } {
    const r = this.content;
    const place = r.pick(this.opts.places);
    const location = randomPointIn(place.geometry, r, place.box);
    return { location, place, label: this.address(place) };
  }

  private nearestPlace(p: LngLat): { place: Place; label: string } {
    let best = this.opts.places[0];
    let bestD = Infinity;
    for (const pl of this.opts.places) {
      const d = distanceM(p, {
        lng: (pl.box.minLng + pl.box.maxLng) / 2,
        lat: (pl.box.minLat + pl.box.maxLat) / 2,
      });
      if (d < bestD) [best, bestD] = [pl, d];
    }
    return { place: best, label: this.address(best) };
  }

  private address(place: Place): string {
    const r = this.content;
    const forms = [
      () => `${place.streetName}${place.name}${r.int(1, 40)}号楼`,
      () => `${place.streetName}${place.name}${r.int(1, 40)}号楼${r.int(1, 6)}单元`,
      () => `${place.name}${r.pick(['东门', '西门', '南门', '北门', '中心广场', '菜市场'])}`,
    ];
    return `海淀区${r.pick(forms)()}`;
  }
}

/** "北航社区居委会" → "北航社区": what people say, not the committee's name. */
export function shortName(name: string): string {
  return name.replace(/(居民委员会|村民委员会|居委会|村委会)$/, '') || name;
}

/** "永泰庄路与建材城中路口 1号" → "永泰庄路与建材城中路口": the spot, not the device. */
export function cameraSpot(c: Camera): string {
  return c.name.replace(/\s*\d+号$/, '');
}

const CASE_SEVERITY: readonly (readonly [Severity, number])[] = [
  [4, 85],
  [3, 15],
];
const EMERGENCY_SEVERITY: readonly (readonly [Severity, number])[] = [
  [3, 55],
  [2, 35],
  [1, 10],
];
