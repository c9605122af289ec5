import { describe, expect, it } from 'vitest';
import type { Api, ApiResult } from './api.ts';
import { ResourceMover } from './mover.ts';
import { RunStats } from './progress.ts';
import { TURNOUT_S } from './resources.ts';

const home = { lng: 116.3, lat: 39.9 };
const scene = { lng: 116.31, lat: 39.9 };

/** A server double: one dispatched fire engine, PATCH applies the status like the real route. */
function fakeApi(patchStatus = 200) {
  const resource = {
    id: 'FIRE-01',
    type: 'fire_engine',
    home,
    status: 'dispatched',
    location: home,
    incidentId: 'INC-1',
  };
  const patches: unknown[] = [];
  const api = {
    async request(method: string, path: string, body?: unknown): Promise<ApiResult> {
      if (method === 'GET' && path === '/api/v1/snapshot') {
        return {
          status: 200,
          body: { resources: [structuredClone(resource)], incidents: [{ id: 'INC-1', location: scene }] },
          ms: 1,
          retries: 0,
        };
      }
      patches.push(body);
      if (patchStatus === 200) Object.assign(resource, body);
      return {
        status: patchStatus,
        body:
          patchStatus === 404
            ? { error: 'not_found', message: 'no route PATCH /api/v1/resources/FIRE-01' }
            : {},
        ms: 1,
        retries: 0,
      };
    },
  } as unknown as Api;
  return { api, resource, patches };
}

describe('ResourceMover', () => {
  it('moves a dispatched resource through en_route to on_scene', async () => {
    const { api, resource, patches } = fakeApi();
    const stats = new RunStats();
    const mover = new ResourceMover(api, stats);
    await mover.tick(0);
    expect(patches).toHaveLength(0);
    await mover.tick(TURNOUT_S);
    expect(resource.status).toBe('en_route');
    for (let t = TURNOUT_S; t < TURNOUT_S + 3600 && resource.status !== 'on_scene'; t += 60)
      await mover.tick(t);
    expect(resource.status).toBe('on_scene');
    expect(resource.location).toEqual(scene);
    expect(patches.length).toBeGreaterThan(2);
    expect(stats.resourceMoves).toBe(patches.length);
  });

  it('backs off when the route does not exist', async () => {
    const { api, patches } = fakeApi(404);
    const stats = new RunStats();
    const mover = new ResourceMover(api, stats);
    await mover.tick(0);
    await mover.tick(TURNOUT_S);
    await mover.tick(TURNOUT_S + 60);
    expect(patches).toHaveLength(1);
    expect(stats.errorsByStatus.get('resources route missing')).toBe(1);
  });

  it('counts refusals without failing', async () => {
    const { api } = fakeApi(409);
    const stats = new RunStats();
    const mover = new ResourceMover(api, stats);
    await mover.tick(0);
    await mover.tick(TURNOUT_S);
    expect(stats.resourceRefusals).toBe(1);
    expect(stats.errors).toBe(0);
  });
});
