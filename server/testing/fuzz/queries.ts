import fc from 'fast-check';
import { RAW_TOKENS } from './bodies.ts';
import { pctEncode } from './surface.ts';
import { hazardousParts, renderParts, type Parts } from './text.ts';

/**
 * Query strings, symbolic like bodies: pairs of a key and a value, each plain text, hazardous text
 * (percent-encoded, lone surrogates as their ill-formed UTF-8 bytes) or raw bytes sent verbatim.
 */
export type QueryPart = string | { hazards: Parts } | { raw: string };
export type QuerySpec = Array<{ k: QueryPart; v?: QueryPart }>;

const renderPart = (p: QueryPart) =>
  typeof p === 'string' ? pctEncode(p) : 'raw' in p ? p.raw : pctEncode(renderParts(p.hazards));

export function renderQuery(q: QuerySpec): string {
  if (q.length === 0) return '';
  return (
    '?' +
    q.map(({ k, v }) => (v === undefined ? renderPart(k) : `${renderPart(k)}=${renderPart(v)}`)).join('&')
  );
}

const rawFragments = fc.constantFrom(
  '%',
  '%zz',
  '%ED%A0%80',
  '%00',
  '',
  '&',
  '=',
  '==',
  '[]',
  '%E4%B8',
  '+',
  '%2B',
);

/** A value: what the schema wants for `key` (from `valid`), or anything else. */
function value(valid: fc.Arbitrary<string> | undefined): fc.Arbitrary<QueryPart> {
  return fc.oneof(
    ...(valid ? [{ weight: 4, arbitrary: valid as fc.Arbitrary<QueryPart> }] : []),
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        ...RAW_TOKENS,
        '-1',
        '0',
        '1.5',
        'abc',
        ' 5',
        '0x10',
        '9'.repeat(400),
        '1e3',
      ),
    },
    { weight: 1, arbitrary: hazardousParts.map((hazards) => ({ hazards })) },
    { weight: 1, arbitrary: rawFragments.map((raw) => ({ raw })) },
  );
}

/** Query strings for a route whose valid values per key are `valid`. */
export function queries(valid: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<QuerySpec> {
  const keys = Object.keys(valid);
  const pair = fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .constantFrom(...keys)
        .chain((k) => fc.record({ k: fc.constant<QueryPart>(k), v: value(valid[k]) })),
    },
    {
      weight: 1,
      arbitrary: fc.record(
        {
          k: fc.oneof(
            fc.constantFrom<QueryPart>(
              '__proto__',
              'constructor',
              'toString',
              'since',
              'limit[]',
              'a[b]',
              ...keys.map((k) => `${k}[]`),
            ),
            hazardousParts.map((hazards) => ({ hazards })),
            rawFragments.map((raw) => ({ raw })),
          ),
          v: value(undefined),
        },
        { requiredKeys: ['k'] },
      ),
    },
  );
  return fc.array(pair, { maxLength: 6 });
}
