import { describe, expect, it } from 'vitest';
import type { Resource } from '../../shared/resource.ts';
import { MIN_TRAVEL_S, ResourceTracker, TURNOUT_S, nextStep, travelSeconds } from './resources.ts';

const home = { lng: 116.3, lat: 39.9 };
const scene = { lng: 116.33, lat: 39.92 };
const engine = (status: Resource['status'], location = home): Resource => ({
  id: 'FIRE-01',
  name: '消防车',
  type: 'fire_engine',
  unit: '海淀消防',
  home,
  homeName: '站',
  status,
  location,
  incidentId: 'INC-1',
  operationId: null,
  dispatchId: 'D-1',
  updatedAt: '2026-01-01T00:00:00Z',
  version: 1,
});

describe('resource movement', () => {
  it('turns out after a minute, drives, then arrives on scene', () => {
    const t = new ResourceTracker();
    const r = engine('dispatched');
    const track = t.observe(r, scene, 0);
    expect(nextStep(r, track, scene, TURNOUT_S - 1, true)).toBeNull();
    expect(nextStep(r, track, scene, TURNOUT_S, true)).toEqual({ status: 'en_route', location: home });

    const driving = engine('en_route');
    const dt = t.observe(driving, scene, 100);
    const half = nextStep(driving, dt, scene, 100 + dt.travelS / 2, true)!;
    expect(half.status).toBe('en_route');
    expect(half.location!.lng).toBeCloseTo((home.lng + scene.lng) / 2, 5);
    expect(nextStep(driving, dt, scene, 100 + dt.travelS, true)).toEqual({
      status: 'on_scene',
      location: scene,
    });
    // Without position updates, it just arrives.
    expect(nextStep(driving, dt, scene, 100 + dt.travelS / 2, false)).toBeNull();
  });

  it('drives home when returning and becomes available', () => {
    const t = new ResourceTracker();
    const r = engine('returning', scene);
    const track = t.observe(r, null, 0);
    expect(nextStep(r, track, null, track.travelS, true)).toEqual({ status: 'available', location: home });
  });

  it('leaves stockpiles, on-scene and available resources alone', () => {
    const t = new ResourceTracker();
    const bags = { ...engine('dispatched'), type: 'sandbags' as const };
    expect(nextStep(bags, t.observe(bags, scene, 0), scene, 1e6, true)).toBeNull();
    for (const s of ['on_scene', 'available', 'out_of_service'] as const) {
      const r = engine(s);
      expect(nextStep(r, t.observe(r, scene, 0), scene, 1e6, true)).toBeNull();
    }
  });

  it('takes a plausible time to drive', () => {
    expect(travelSeconds(home, home)).toBe(MIN_TRAVEL_S);
    // ~3.4 km at 30 km/h ≈ 7 minutes
    expect(travelSeconds(home, scene)).toBeGreaterThan(300);
    expect(travelSeconds(home, scene)).toBeLessThan(600);
  });
});
