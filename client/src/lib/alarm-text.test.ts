import { describe, expect, it } from 'vitest';
import type { GridCollection } from '../../../shared/index.ts';
import { agoText, minutesAgo, streetName } from './alarm-text.ts';
import { translate, type Locale, type MessageKey, type Params } from './i18n/core.ts';

const tr = (l: Locale) => (k: MessageKey, p?: Params) => translate(l, k, p);

const grid = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      properties: { id: '110108001', level: 'street', parentId: '110108', name: '万寿路街道' },
      geometry: { type: 'Polygon', coordinates: [] },
    },
  ],
} as unknown as GridCollection;

describe('alarm text', () => {
  it("names the incident's street from the grid", () => {
    expect(streetName(grid, { streetId: '110108001' })).toBe('万寿路街道');
    expect(streetName(grid, { streetId: null })).toBeNull();
    expect(streetName(null, { streetId: '110108001' })).toBeNull();
  });
  it('says how long ago, in whole minutes, then hours', () => {
    const t = '2024-06-01T08:00:00.000Z';
    const at = (ms: number) => Date.parse(t) + ms;
    expect(minutesAgo(t, at(-5000))).toBe(0);
    expect(agoText(t, at(59_000), tr('zh-CN'))).toBe('刚刚');
    expect(agoText(t, at(3 * 60_000 + 5000), tr('zh-CN'))).toBe('3 分钟前');
    expect(agoText(t, at(3 * 3600_000), tr('zh-CN'))).toBe('3 小时前');
    expect(agoText(t, at(3 * 60_000), tr('en'))).toBe('3 min ago');
  });
});
