import { distanceM, type LngLat } from '../../shared/common.ts';
import { STATIC_RESOURCE_TYPES, type Resource, type ResourceStatus } from '../../shared/resource.ts';
import { lerp } from './geo.ts';

/** Urban driving with lights and sirens: about 30 km/h door to door. */
export const SPEED_M_PER_S = 30_000 / 3600;
/** Crews take a simulated minute to turn out after being dispatched. */
export const TURNOUT_S = 60;
export const MIN_TRAVEL_S = 120;
export const MAX_TRAVEL_S = 20 * 60;

export type ResourcePatch = { status: ResourceStatus; location?: LngLat };

/** What the mover remembers of one resource: which phase it saw, since when, from where. */
export type Track = { status: ResourceStatus; since: number; from: LngLat; travelS: number };

export function travelSeconds(a: LngLat, b: LngLat): number {
  return Math.min(MAX_TRAVEL_S, Math.max(MIN_TRAVEL_S, distanceM(a, b) / SPEED_M_PER_S));
}

/**
 * The next step for one resource at simulated second `now`, or null to leave it be:
 * dispatched → en_route after turnout; en_route moves towards the scene and arrives on_scene;
 * returning drives home and becomes available. Position updates during a drive are sent with the
 * unchanged status, unless the server refused those before (`positions: false`).
 */
export function nextStep(
  r: Resource,
  track: Track,
  scene: LngLat | null,
  now: number,
  positions: boolean,
): ResourcePatch | null {
  if (STATIC_RESOURCE_TYPES.includes(r.type)) return null;
  const elapsed = now - track.since;
  switch (r.status) {
    case 'dispatched':
      return elapsed >= TURNOUT_S && scene ? { status: 'en_route', location: r.location } : null;
    case 'en_route': {
      if (!scene) return null;
      const t = elapsed / track.travelS;
      if (t >= 1) return { status: 'on_scene', location: scene };
      return positions ? { status: 'en_route', location: lerp(track.from, scene, t) } : null;
    }
    case 'returning': {
      const t = elapsed / track.travelS;
      if (t >= 1) return { status: 'available', location: r.home };
      return positions ? { status: 'returning', location: lerp(track.from, r.home, t) } : null;
    }
    default:
      return null;
  }
}

/**
 * Keeps a track per resource across snapshots. A status change seen in a snapshot (by us or by
 * someone at the console) starts a new phase from the resource's current position.
 */
export class ResourceTracker {
  private tracks = new Map<string, Track>();
  positions = true;

  observe(r: Resource, scene: LngLat | null, now: number): Track {
    const old = this.tracks.get(r.id);
    if (old && old.status === r.status) return old;
    const target = r.status === 'returning' ? r.home : scene;
    const track: Track = {
      status: r.status,
      since: now,
      from: r.location,
      travelS: target ? travelSeconds(r.location, target) : MIN_TRAVEL_S,
    };
    this.tracks.set(r.id, track);
    return track;
  }

  /** After our own PATCH succeeded: the phase moves on now, not at the next snapshot. */
  advanced(r: Resource, patch: ResourcePatch, now: number, scene: LngLat | null): void {
    const old = this.tracks.get(r.id);
    if (old && old.status === patch.status) return;
    const from = patch.location ?? r.location;
    const target = patch.status === 'returning' ? r.home : scene;
    this.tracks.set(r.id, {
      status: patch.status,
      since: now,
      from,
      travelS: target ? travelSeconds(from, target) : MIN_TRAVEL_S,
    });
  }

  forget(id: string): void {
    this.tracks.delete(id);
  }
}
