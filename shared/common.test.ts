import { describe, expect, it } from 'vitest';
import { destination, distanceM, EARTH_RADIUS_M } from './common.ts';

describe('one sphere for distances and offsets', () => {
  it('puts a point r metres away at r metres by distanceM, in every direction', () => {
    const c = { lng: 116.31, lat: 39.97 };
    for (const r of [1, 200, 5_000, 150_000])
      for (let i = 0; i < 16; i++) {
        const p = destination(c, r, (2 * Math.PI * i) / 16);
        expect(Math.abs(distanceM(c, p) - r)).toBeLessThan(1e-6 * r + 1e-6);
      }
  });

  it('measures a degree of latitude on the mean Earth radius', () => {
    expect(distanceM({ lng: 0, lat: 0 }, { lng: 0, lat: 1 })).toBeCloseTo(
      (Math.PI / 180) * EARTH_RADIUS_M,
      6,
    );
  });

  it('goes north for bearing 0 and east for π/2, and wraps longitude', () => {
    const north = destination({ lng: 116, lat: 40 }, 1000, 0);
    expect(north.lng).toBeCloseTo(116, 9);
    expect(north.lat).toBeGreaterThan(40);
    const east = destination({ lng: 116, lat: 40 }, 1000, Math.PI / 2);
    expect(east.lng).toBeGreaterThan(116);
    expect(destination({ lng: 179.999, lat: 0 }, 1000, Math.PI / 2).lng).toBeLessThan(-179);
  });
});
