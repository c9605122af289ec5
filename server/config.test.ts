import { describe, expect, it } from 'vitest';
import { assertProductionSafe, loadConfig, parseIntakeKeys } from './config.ts';

const K1 = 'k1-aaaaaaaaaaaaaaaaaaaaaaaaaa';
const K2 = 'k2-bbbbbbbbbbbbbbbbbbbbbbbbbb';

describe('INTAKE_KEYS', () => {
  it('names each key by its integration; an unnamed key stays integration-N (its place)', () => {
    expect(parseIntakeKeys(`hotline:${K1}, ${K2} ,hik_vision-2:k3`)).toEqual([
      { name: 'hotline', key: K1 },
      { name: 'integration-2', key: K2 },
      { name: 'hik_vision-2', key: 'k3' },
    ]);
  });

  it('the demo default key is the integration "demo"', () => {
    expect(loadConfig({}).intakeKeys).toEqual([{ name: 'demo', key: 'demo-intake-key' }]);
    expect(loadConfig({ NODE_ENV: 'production' }).intakeKeys).toEqual([]);
  });

  it('refuses bad names, reserved names, empty keys, a name or a key twice: every problem named, no key shown', () => {
    let msg = '';
    try {
      parseIntakeKeys(
        `Hotline:${K1},hotline:${K2},hotline:x${K2},:k,${'a'.repeat(33)}:k5,commander:k6,video:${K1},integration-9:k7,cams:`,
      );
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/^refusing to start: INTAKE_KEYS/);
    expect(msg).toContain('entry 1: integration name "Hotline" is not [a-z0-9_-]{1,32}');
    expect(msg).toContain('entry 3: the same integration name as entry 2 ("hotline")');
    expect(msg).toContain('entry 4: integration name "" is not');
    expect(msg).toContain(`entry 5: integration name "${'a'.repeat(33)}" is not`);
    expect(msg).toContain('entry 6: integration name "commander" is reserved');
    expect(msg).toContain('entry 7: the same key as entry 1');
    expect(msg).toContain('entry 8: integration name "integration-9" is reserved');
    expect(msg).toContain('entry 9: integration "cams" has no key');
    expect(msg).not.toContain(K1);
    expect(msg).not.toContain(K2);
    expect(() => loadConfig({ INTAKE_KEYS: `a:${K1},a:${K2}` })).toThrow(/same integration name/);
  });

  it('a short key is refused by the name of its integration', () => {
    expect(() => assertProductionSafe(loadConfig({ INTAKE_KEYS: `hotline:short,video:${K1}` }))).toThrow(
      /the key\(s\) of hotline in INTAKE_KEYS are shorter than 24/,
    );
    expect(() =>
      assertProductionSafe(loadConfig({ NODE_ENV: 'production', INTAKE_KEYS: 'demo:demo-intake-key' })),
    ).toThrow(/default demo key/);
  });
});
