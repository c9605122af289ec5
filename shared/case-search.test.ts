import { describe, expect, it } from 'vitest';
import { CaseSearchQuery } from './case-search.ts';

const paths = (input: Record<string, unknown>) => {
  const r = CaseSearchQuery.safeParse(input);
  return r.success
    ? []
    : r.error.issues.map((i) => (i.code === 'unrecognized_keys' ? i.keys : i.path).join('.'));
};

describe('GET /api/v1/cases query', () => {
  it('defaults limit to 50 and reads lists comma-separated or repeated', () => {
    expect(CaseSearchQuery.parse({})).toEqual({ limit: 50 });
    expect(CaseSearchQuery.parse({ status: 'closed,accepted', category: ['fire', 'flood,fire'] })).toEqual({
      status: ['closed', 'accepted'],
      category: ['fire', 'flood'],
      limit: 50,
    });
    expect(CaseSearchQuery.parse({ status: '' }).status).toBeUndefined();
    expect(CaseSearchQuery.parse({ overdue: 'true' }).overdue).toBe(true);
    expect(CaseSearchQuery.parse({ overdue: 'false' }).overdue).toBe(false);
    expect(CaseSearchQuery.parse({ q: '  燃气  ' }).q).toBe('燃气');
    expect(CaseSearchQuery.parse({ limit: '200' }).limit).toBe(200);
  });

  it('names each bad parameter', () => {
    expect(paths({ nope: '1' })).toEqual(['nope']);
    expect(paths({ status: 'open' })).toEqual(['status']);
    expect(paths({ category: 'fire,volcano' })).toEqual(['category']);
    for (const limit of ['0', '201', '1.5', 'ten']) expect(paths({ limit }), limit).toEqual(['limit']);
    expect(paths({ from: '2026-12-01T10:00:00' })).toEqual(['from']); // no offset
    expect(paths({ to: 'yesterday' })).toEqual(['to']);
    expect(paths({ from: '2026-12-01T10:00:00Z', to: '2026-12-01T09:00:00+08:00' })).toEqual(['to']);
    expect(paths({ overdue: 'yes' })).toEqual(['overdue']);
    expect(paths({ cursor: 'not a cursor!' })).toEqual(['cursor']);
    // q: the shared text rules, 1..100 code points
    expect(paths({ q: '' })).toEqual(['q']);
    expect(paths({ q: '\u200b \u200b' })).toEqual(['q']);
    expect(paths({ q: 'a\u0007b' })).toEqual(['q']);
    expect(paths({ q: '\ud800' })).toEqual(['q']);
    expect(paths({ q: '燃'.repeat(101) })).toEqual(['q']);
    expect(paths({ q: '𠀀'.repeat(100) })).toEqual([]); // 100 code points, 200 UTF-16 units
    expect(paths({ streetId: '' })).toEqual(['streetId']);
  });
});
