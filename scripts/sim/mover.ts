import type { LngLat } from '../../shared/common.ts';
import type { Snapshot } from '../../shared/protocol.ts';
import type { Resource } from '../../shared/resource.ts';
import type { Api } from './api.ts';
import type { RunStats } from './progress.ts';
import { ResourceTracker, nextStep } from './resources.ts';

/**
 * Demo mode: drives dispatched resources to their incidents through the public API, as crews'
 * terminals would. Reads the snapshot as the operator, so it also follows dispatches made by a
 * person at the console. Refusals (the route missing, a transition someone else made first) are
 * expected and only counted.
 */
export class ResourceMover {
  private readonly tracker = new ResourceTracker();
  /** Wall time (ms) until which we do not try again after finding the route missing. */
  private routeMissingUntil = 0;

  constructor(
    private readonly api: Api,
    private readonly stats: RunStats,
  ) {}

  /** Resources and incident positions as of the last snapshot, plus our own successful changes. */
  private resources: Resource[] = [];
  private scenes = new Map<string, LngLat>();

  /**
   * Reads the snapshot (when `refresh`: it can be large, so not every tick) and moves resources.
   * Ticks in between move them on the remembered state, so that a drive compressed into a few
   * real seconds still shows intermediate positions.
   */
  async tick(simNow: number, refresh = true): Promise<void> {
    if (Date.now() < this.routeMissingUntil) return;
    if (refresh) {
      const res = await this.api.request('GET', '/api/v1/snapshot');
      if (res.status !== 200) return this.stats.error(`snapshot ${res.status}`);
      const snap = res.body as Pick<Snapshot, 'resources' | 'incidents'>;
      this.scenes = new Map(snap.incidents.map((i) => [i.id, i.location]));
      this.resources = snap.resources;
    }
    for (const [i, r] of this.resources.entries()) {
      const scene = r.incidentId ? (this.scenes.get(r.incidentId) ?? null) : null;
      const track = this.tracker.observe(r, scene, simNow);
      const patch = nextStep(r, track, scene, simNow, this.tracker.positions);
      if (!patch) continue;
      const out = await this.api.request('PATCH', `/api/v1/resources/${encodeURIComponent(r.id)}`, patch);
      if (out.status === 200 || out.status === 202) {
        this.stats.resourceMoves++;
        this.tracker.advanced(r, patch, simNow, scene);
        this.resources[i] = { ...r, status: patch.status, location: patch.location ?? r.location };
      } else if (out.status === 404 && isRouteMissing(out.body)) {
        // The resource routes are not there (yet): look again in half a minute.
        this.routeMissingUntil = Date.now() + 30_000;
        this.stats.error('resources route missing');
        return;
      } else if (out.status === 409 && patch.status === r.status) {
        // This server refuses position-only updates: just move on arrival from now on.
        this.tracker.positions = false;
        this.stats.resourceRefusals++;
      } else {
        this.stats.resourceRefusals++;
        this.tracker.forget(r.id);
      }
    }
  }
}

/** Fastify's 404 for an unknown route, as opposed to a 404 for an unknown resource id. */
function isRouteMissing(body: unknown): boolean {
  const b = body as { message?: string; error?: string } | null;
  return typeof b?.message === 'string' && /^(no route|Route) /.test(b.message);
}
