import { describe, expect, it } from 'vitest';
import { distanceM } from '../../shared/common.ts';
import { IncidentIntake } from '../../shared/incident.ts';
import { VideoAlertIntake } from '../../shared/video-alert.ts';
import { TEST_CAMERAS, TEST_GRID } from './fixtures.ts';
import { pointInGeometry } from './geo.ts';
import { Simulation, cameraSpot, placesFromGrid, shortName, type Planned } from './reports.ts';

const places = placesFromGrid(TEST_GRID);
const make = (seed: number | string = 42, runId = 'r1', storm = false) =>
  new Simulation({ seed, runId, places, cameras: TEST_CAMERAS, startAt: 0, rates: { storm } });

describe('placesFromGrid', () => {
  it('keeps communities, with their street and a spoken name', () => {
    expect(places.map((p) => [p.id, p.name, p.streetName])).toEqual([
      ['C1', '翠微路社区', '万寿路街道'],
      ['C2', '复兴路社区', '万寿路街道'],
    ]);
    expect(shortName('北航社区居委会')).toBe('北航社区');
    expect(cameraSpot(TEST_CAMERAS[0])).toBe('翠微路与复兴路口');
  });
});

describe('Simulation', () => {
  const day = make().due(86_400);

  it('is repeatable: same seed, same items, however the day is sliced', () => {
    const sliced = make();
    const pieces: Planned[] = [];
    for (let t = 0; t <= 86_400; t += 977) pieces.push(...sliced.due(t));
    pieces.push(...sliced.due(86_400));
    expect(pieces).toEqual(day);
    expect(make(43).due(86_400)).not.toEqual(day);
  });

  it('sends only bodies the intake schemas accept', () => {
    for (const item of day) {
      const schema = item.kind === 'incident' ? IncidentIntake : VideoAlertIntake;
      expect(schema.safeParse(item.body).success, JSON.stringify(item.body)).toBe(true);
    }
  });

  it('keeps externalIds unique within a run, and makes them from the run id', () => {
    const ids = day.map((i) => i.body.externalId!);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id.startsWith('r1-'))).toBe(true);
  });

  it('posts a day at about the real rates, in time order', () => {
    const count = (s: string) => day.filter((i) => i.stream === s).length;
    // Poisson counts for one day: allow a generous ±4 sd.
    const near = (n: number, mean: number) =>
      expect(Math.abs(n - mean)).toBeLessThan(4 * Math.sqrt(mean) + 2);
    near(count('appeal'), 105);
    near(count('video'), 179);
    near(count('community'), 35);
    near(count('grid'), 24);
    expect(count('emergency')).toBeLessThan(10);
    const times = day.map((i) => i.at);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('places reports inside the communities, or near a camera', () => {
    for (const item of day) {
      // Follow-ups land within 100 m of their first report: checked below.
      if (item.kind !== 'incident' || item.stream === 'follow-up') continue;
      const loc = item.body.location;
      const inPlace = places.some((p) => pointInGeometry(loc, p.geometry));
      const nearCamera = TEST_CAMERAS.some((c) => distanceM(c.location, loc) < 260);
      expect(inPlace || nearCamera).toBe(true);
    }
  });

  it('mostly grades IV/III, with rare I/II emergencies', () => {
    const storm = make(7, 's', true)
      .due(86_400)
      .filter((i) => i.kind === 'incident');
    const sev = (k: string, s: number) =>
      storm.filter((i) => i.kind === 'incident' && i.body.kind === k && i.body.severity === s).length;
    expect(sev('case', 4)).toBeGreaterThan(sev('case', 3) * 3);
    expect(sev('case', 1) + sev('case', 2)).toBe(0);
    expect(sev('emergency', 1)).toBeGreaterThan(0);
    expect(sev('emergency', 1)).toBeLessThan(sev('emergency', 3));
  });

  it('has near-duplicates (same category, within 100 m, minutes later) and corroborating camera alerts', () => {
    const items = make(7, 's', true).due(86_400);
    const firsts = items.filter((i) => i.kind === 'incident' && i.stream !== 'follow-up');
    const dups = items.filter((i) => i.kind === 'incident' && i.stream === 'follow-up');
    expect(dups.length).toBeGreaterThan(firsts.length * 0.08);
    for (const d of dups.slice(0, 50)) {
      if (d.kind !== 'incident') continue;
      const original = firsts.find(
        (f) =>
          f.kind === 'incident' &&
          f.body.category === d.body.category &&
          f.at < d.at &&
          d.at - f.at <= 1800 &&
          distanceM(f.body.location, d.body.location) <= 100.5,
      );
      expect(original, JSON.stringify(d)).toBeDefined();
    }
    expect(items.some((i) => i.kind === 'video' && i.stream === 'follow-up')).toBe(true);
  });
});
