import { describe, expect, it } from 'vitest';
import { actionOf, alertColour, colourOfSeverity, routeStatus } from './cap-mapping.ts';
import { parseCap } from './cap-parse.ts';
import { CAP_MSG_TYPES, CAP_SEVERITIES, CAP_STATUSES, type CapAlert } from './cap-model.ts';
import { fixture } from './fixtures/broken-variants.ts';

const alertOf = (name: string): CapAlert => {
  const r = parseCap(fixture(name));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.alert;
};

describe('what a CAP alert means for Pingzhan', () => {
  it('colours by severity per the contract, Unknown as blue', () => {
    expect(CAP_SEVERITIES.map(colourOfSeverity)).toEqual(['red', 'orange', 'yellow', 'blue', 'blue']);
  });

  it('agrees with the colours Taiwan’s weather administration puts beside its CAP severities', () => {
    // CWA's CAP carries its own colour as a parameter: a published check of the mapping.
    const CWA: Record<string, string> = { 藍色: 'blue', 黃色: 'yellow', 橙色: 'orange', 紅色: 'red' };
    let seen = 0;
    for (const name of [
      'tw-cwa-earthquake.xml',
      'tw-cwa-thunderstorm.xml',
      'tw-cwa-extremely-rain.xml',
      'tw-cwa-heat.xml',
    ])
      for (const info of alertOf(name).infos) {
        const theirs = info.parameters.find((p) => p.valueName === 'alert_color')?.value;
        if (theirs === undefined) continue;
        expect(colourOfSeverity(info.severity), `${name}: ${info.severity} / ${theirs}`).toBe(CWA[theirs]);
        seen++;
      }
    expect(seen).toBeGreaterThanOrEqual(6);
  });

  it('colours an alert by its most severe info, and a bare Cancel not at all', () => {
    expect(alertColour(alertOf('spec12-a2.xml'))).toBe('orange'); // Severe thunderstorm
    expect(alertColour(alertOf('own-haidian-rainstorm.xml'))).toBe('yellow'); // Moderate: 暴雨黄色
    expect(alertColour(alertOf('tw-cwa-heat.xml'))).toBe('orange'); // two orange areas, one yellow
    expect(alertColour(alertOf('ipaws-5e6dd9de023f1930ef6548d9.xml'))).toBeNull(); // Cancel, no info
    const quake = alertOf('spec12-a3.xml');
    const mixed = { infos: [quake.infos[0], { ...quake.infos[0], severity: 'Extreme' as const }] };
    expect(alertColour(mixed)).toBe('red');
  });

  it('routes by status: Actual live, Exercise drill, Test/System stored, Draft refused', () => {
    expect(Object.fromEntries(CAP_STATUSES.map((s) => [s, routeStatus(s)]))).toEqual({
      Actual: 'live',
      Exercise: 'drill',
      System: 'stored',
      Test: 'stored',
      Draft: 'refused',
    });
  });

  it('stores a Test message, never shows it', () => {
    expect(routeStatus(alertOf('tw-cdc-communicable-test.xml').status)).toBe('stored'); // 測試
  });

  it('acts by message type', () => {
    expect(CAP_MSG_TYPES.map(actionOf)).toEqual(['issue', 'update', 'cancel', 'none', 'none']);
  });
});
