import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pgJson, pgText } from './pg-text.ts';

describe('text for PostgreSQL', () => {
  it('replaces NUL, and only NUL, in any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: fc.constantFrom('\0', '\\', 'u', '0', 'a') }), (v, s) => {
        const value = { v, s, k: { [s]: [s, `\\${s}`] } };
        const out = pgJson(value);
        expect(out).not.toMatch(/(?<!\\)(?:\\\\)*\\u0000/);
        const swap = (x: unknown): unknown =>
          typeof x === 'string'
            ? pgText(x)
            : Array.isArray(x)
              ? x.map(swap)
              : x && typeof x === 'object'
                ? Object.fromEntries(Object.entries(x).map(([k, y]) => [pgText(k), swap(y)]))
                : x;
        // Compared as JSON says it: fc.jsonValue() may give -0, which JSON writes as 0.
        expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(swap(value))));
      }),
    );
    expect(JSON.parse(pgJson({ a: 'x\0y', b: '\\u0000' }))).toEqual({ a: 'x\uFFFDy', b: '\\u0000' });
    expect(pgText('a\0b\0')).toBe('a\uFFFDb\uFFFD');
    expect(pgText(null)).toBeNull();
  });
});
