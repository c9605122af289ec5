import { describe, expect, it } from 'vitest';
import { CATEGORY_NAMES, INCIDENT_CATEGORIES } from '../../../../shared/index.ts';
import { en } from './en.ts';
import { zhCN } from './zh-CN.ts';

describe("the server's category names", () => {
  it('are the words the console shows', () => {
    for (const c of INCIDENT_CATEGORIES) {
      expect(CATEGORY_NAMES[c].zh, c).toBe(zhCN[`category.${c}`]);
      expect(CATEGORY_NAMES[c].en, c).toBe(en[`category.${c}`]);
    }
  });
});
