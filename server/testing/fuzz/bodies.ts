import fc from 'fast-check';
import { isTextMarker, renderText } from './text.ts';

/**
 * What a fuzz case sends as its body, kept symbolic so that a shrunk counterexample prints as a
 * short readable literal (`{deep: 10000}`, not ten thousand brackets); `renderBody` makes the bytes.
 */
export type RawToken =
  { token: string } | { deep: number; shape: 'array' | 'object' } | { huge: number; char: string };

export type BodySpec = {
  /** The JSON value sent (after rendering text markers). Absent: no JSON value (see `text`/`bytes`). */
  json?: unknown;
  /** Put this raw JSON text at the dotted path `at` instead of the value there. */
  at?: string;
  raw?: RawToken;
  /** Repeat a key in the same object: a second occurrence before or after the original. */
  dup?: { key: string; value: unknown; where: 'before' | 'after' };
  /** The whole body as text, or as bytes (invalid UTF-8 and the like). */
  text?: string;
  bytes?: number[];
  /** A label for the printed counterexample: which field a mutation dropped. */
  dropped?: string;
  /** Content-Type header; default application/json, `null` sends none. */
  contentType?: string | null;
};

const SENTINEL = '\u0001raw\u0001';

/**
 * Ids of live entities, by pool name, that `{$pool, i}` markers in a body stand for (tests fill
 * them as entities appear; an index, not an id, so a case stays valid as pools grow).
 */
export const POOLS: Record<string, string[]> = {};

export const poolRef = (pool: string) => fc.nat(1000).map((i) => ({ $pool: pool, i }));

function isPoolMarker(v: unknown): v is { $pool: string; i: number } {
  return typeof v === 'object' && v !== null && '$pool' in v && Object.keys(v).length === 2;
}

export function resolvePool(m: { $pool: string; i: number }): string {
  const pool = POOLS[m.$pool] ?? [];
  return pool.length ? pool[m.i % pool.length] : 'none';
}

/** Rebuilds a value with markers rendered; keeps `__proto__` and friends as own keys. */
export function renderValue(v: unknown): unknown {
  if (isTextMarker(v)) return renderText(v);
  if (isPoolMarker(v)) return resolvePool(v);
  if (Array.isArray(v)) return v.map(renderValue);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderValue(x)]));
  return v;
}

function rawText(t: RawToken): string {
  if ('token' in t) return t.token;
  if ('deep' in t)
    return t.shape === 'array'
      ? '['.repeat(t.deep) + ']'.repeat(t.deep)
      : '{"a":'.repeat(t.deep) + '1' + '}'.repeat(t.deep);
  return JSON.stringify(t.char.repeat(Math.ceil(t.huge / Math.max(1, Buffer.byteLength(t.char)))));
}

function setPath(v: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const obj = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  const entries = Object.entries(obj);
  const has = entries.some(([k]) => k === head);
  const next = has
    ? entries.map(([k, x]) => [k, k === head ? setPath(x, rest, value) : x])
    : [...entries, [head, setPath(undefined, rest, value)]];
  return Object.fromEntries(next);
}

export function renderBody(b: BodySpec): {
  payload: string | Uint8Array<ArrayBuffer> | undefined;
  contentType: string | null;
} {
  const contentType = b.contentType === undefined ? 'application/json' : b.contentType;
  if (b.bytes) return { payload: new Uint8Array(b.bytes), contentType };
  if (b.text !== undefined) return { payload: b.text, contentType };
  if (!('json' in b)) return { payload: undefined, contentType };
  let value = renderValue(b.json);
  if (b.at !== undefined && b.raw) value = setPath(value, b.at === '' ? [] : b.at.split('.'), SENTINEL);
  let text = JSON.stringify(value) ?? 'null';
  if (b.raw) text = text.replace(JSON.stringify(SENTINEL), rawText(b.raw));
  if (b.dup && text.startsWith('{')) {
    const pair = `${JSON.stringify(b.dup.key)}:${JSON.stringify(renderValue(b.dup.value)) ?? 'null'}`;
    text =
      b.dup.where === 'before'
        ? `{${pair}${text === '{}' ? '' : ','}${text.slice(1)}`
        : `${text.slice(0, -1)}${text === '{}' ? '' : ','}${pair}}`;
  }
  return { payload: text, contentType };
}

/** Every dotted path to a value in a (rendered or not) JSON object, nested objects included. */
export function pathsOf(v: unknown, prefix = ''): string[] {
  if (!v || typeof v !== 'object' || Array.isArray(v) || isTextMarker(v) || isPoolMarker(v)) return [];
  return Object.entries(v).flatMap(([k, x]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    return [p, ...pathsOf(x, p)];
  });
}

function dropPath(v: unknown, path: string[]): unknown {
  if (!v || typeof v !== 'object') return v;
  const [head, ...rest] = path;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => rest.length > 0 || k !== head)
      .map(([k, x]) => [k, k === head && rest.length ? dropPath(x, rest) : x]),
  );
}

/** Values of the wrong type for almost any field. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(null, true, false, '', ' ', '\t\n', 0, -1, 1e300, 5e-324, Number.MAX_SAFE_INTEGER + 2),
  fc.string({ maxLength: 8 }),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 3 })), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
);

export const RAW_TOKENS = [
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e309',
  '-1e309',
  '1e-400',
  '0x1F',
  '01',
  '+1',
  '.5',
  '1.',
  '9007199254740993',
  '1E2',
  'undefined',
  'True',
  'nul',
  '"\\ud800"',
  '"\\udc00\\ud800"',
  '"\\u0000"',
  '"\\uFEFF"',
  '"\\u202E"',
  "'single'",
];

const unknownKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'valueOf',
    'id',
    'version',
    'seq',
    'actor',
    'status',
    '',
  ),
  fc.string({ maxLength: 10 }),
);

/** Mutations of a valid body: drop, retype, add, duplicate, raw tokens, deep or huge values. */
export function mutated(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<BodySpec> {
  return valid.chain((body) => {
    const paths = pathsOf(body);
    const path = paths.length ? fc.constantFrom(...paths) : fc.constant('x');
    const anyPath = fc.oneof(path, fc.constant(''));
    return fc.oneof(
      path.map((p) => ({ json: dropPath(body, p.split('.')), dropped: p })),
      fc.tuple(path, wrongValue).map(([p, w]) => ({ json: setPath(body, p.split('.'), w) })),
      fc
        .tuple(unknownKey, fc.jsonValue({ maxDepth: 2 }))
        .map(([k, w]) => ({ json: Object.fromEntries([...Object.entries(body), [k, w]]) })),
      fc
        .record({
          key: fc.oneof(
            path.map((p) => p.split('.')[0]),
            unknownKey,
          ),
          value: wrongValue,
          where: fc.constantFrom('before' as const, 'after' as const),
        })
        .map((dup) => ({ json: body, dup })),
      fc
        .tuple(anyPath, fc.constantFrom(...RAW_TOKENS))
        .map(([at, token]) => ({ json: body, at, raw: { token } })),
      fc
        .tuple(anyPath, fc.constantFrom(10_000, 100), fc.constantFrom('array' as const, 'object' as const))
        .map(([at, deep, shape]) => ({ json: body, at, raw: { deep, shape } })),
      fc
        .tuple(path, fc.constantFrom(1 << 20, 70_000), fc.constantFrom('x', '中', '\u{1F525}'))
        .map(([at, huge, char]) => ({ json: body, at, raw: { huge, char } })),
      fc
        .constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/json; charset=utf-16',
          'application/json; charset=latin1',
          'APPLICATION/JSON',
          'application/jsonx',
          null,
        )
        .map((contentType) => ({ json: body, contentType })),
    ) as fc.Arbitrary<BodySpec>;
  });
}

/** Bodies that are not a JSON object at all, or not JSON. */
export const hostileWhole: fc.Arbitrary<BodySpec> = fc.oneof<fc.Arbitrary<BodySpec>[]>(
  fc
    .constantFrom(
      '',
      ' ',
      'null',
      '[]',
      '[{}]',
      '"x"',
      '0',
      'true',
      '{',
      '}',
      '{"a":1,}',
      "{'a':1}",
      '\uFEFF{}',
      '{}\u0000',
      '{"__proto__":{"isAdmin":true}}',
      '{"constructor":{"prototype":{"isAdmin":true}}}',
      '{"a":"\\ud800"}',
      '{"\\ud800":1}',
      'NaN',
      '1e309',
      '{"a":1}{"b":2}',
    )
    .map((text) => ({ text })),
  fc
    .constantFrom(10_000, 100_000)
    .map((deep) => ({ json: null, at: '', raw: { deep, shape: 'array' as const } })),
  fc.constant({ json: null, at: '', raw: { deep: 10_000, shape: 'object' as const } }),
  fc.constant({ json: null, at: '', raw: { huge: 1 << 20, char: 'x' } }),
  fc
    .constantFrom<number[][]>(
      [0xff, 0xfe],
      [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d],
      [0xc0, 0xaf],
    )
    .map((bytes) => ({ bytes })),
  fc.constant({ contentType: 'application/json' }),
  fc.constant({ contentType: null }),
);

/** Valid, mutated and hostile bodies for one route, in a mix that keeps some valid ones. */
export function bodies(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<BodySpec> {
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((json) => ({ json })) },
    { weight: 4, arbitrary: mutated(valid) },
    { weight: 1, arbitrary: hostileWhole },
  );
}
