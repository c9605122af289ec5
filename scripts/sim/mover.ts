import type { LngLat } from '../../shared/common.ts';
import type { Snapshot } from '../../shared/protocol.ts';
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

  async tick(simNow: number): Promise<void> {
    if (Date.now() < this.routeMissingUntil) return;
    const res = await this.api.request('GET', '/api/v1/snapshot');
    if (res.status !== 200) return this.stats.error(`snapshot ${res.status}`);
    const snap = res.body as Pick<Snapshot, 'resources' | 'incidents'>;
    const scenes = new Map<string, LngLat>(snap.incidents.map((i) => [i.id, i.location]));
    for (const r of snap.resources) {
      const scene = r.incidentId ? (scenes.get(r.incidentId) ?? null) : null;
      const track = this.tracker.observe(r, scene, simNow);
      const patch = nextStep(r, track, scene, simNow, this.tracker.positions);
      if (!patch) continue;
      const out = await this.api.request('PATCH', `/api/v1/resources/${encodeURIComponent(r.id)}`, patch);
      if (out.status === 200 || out.status === 202) {
        this.stats.resourceMoves++;
        this.tracker.advanced(r, patch, simNow, scene);
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
