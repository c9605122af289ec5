import fc from 'fast-check';

/**
 * Text that has broken records before, or could: each entry is one UTF-16 string (a code point,
 * a lone surrogate, or a short combination), named so a shrunk counterexample reads as a list of
 * known hazards rather than a wall of escapes.
 */
export const HAZARDS = {
  loneHigh: '\uD800',
  loneLow: '\uDC00',
  /** A pair written backwards: two lone surrogates. */
  reversedPair: '\uDE00\uD83D',
  nul: '\u0000',
  bell: '\u0007',
  escape: '\u001B',
  del: '\u007F',
  nel: '\u0085',
  bom: '\uFEFF',
  rtlOverride: '\u202E',
  ltrOverride: '\u202D',
  rlm: '\u200F',
  zwsp: '\u200B',
  zwj: '\u200D',
  lineSep: '\u2028',
  paraSep: '\u2029',
  nonchar: '\uFFFE',
  noncharFFFF: '\uFFFF',
  noncharFDD0: '\uFDD0',
  replacement: '\uFFFD',
  combining: 'e\u0301\u0301\u0301',
  emoji: '\u{1F525}',
  emojiZwj: '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}',
  flag: '\u{1F1E8}\u{1F1F3}',
  cjk: '燃气泄漏',
  cjkExtB: '\u{20000}',
  plane1Nonchar: '\u{1FFFE}',
  plane14Tag: '\u{E0041}',
  plane15Private: '\u{F0000}',
  plane16Nonchar: '\u{10FFFF}',
  quote: '"\\\'',
  html: '<script>alert(1)</script>',
  luaPattern: '%s%d%%[]^$',
  cjsonEscape: '\\u0000\\ud800',
} as const;
export type Hazard = keyof typeof HAZARDS;

const hazardNames = Object.keys(HAZARDS) as Hazard[];

/** Any code point of any plane, noncharacters and private use included (no surrogates). */
export const anyCodePoint = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });

/** Words an operator would type; keeps valid bodies mostly valid. */
const plainWords = fc
  .array(fc.constantFrom('火情', '燃气', '积水', 'road', 'smoke', '报告', '第3次', 'ok', '东门', '#12'), {
    minLength: 1,
    maxLength: 6,
  })
  .map((ws) => ws.join(' '));

/** A few hazards set among ordinary characters: `["a", "loneHigh", "b"]` renders as "a\uD800b". */
export const hazardousParts = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...hazardNames).map((h) => ({ h })) },
    { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 4 }) },
  ),
  { minLength: 1, maxLength: 6 },
);
export type Parts = Array<string | { h: Hazard }>;
export const renderParts = (p: Parts) => p.map((x) => (typeof x === 'string' ? x : HAZARDS[x.h])).join('');

/**
 * Long text with astral characters: a cut by UTF-16 code unit (`slice(0, n)`) lands inside a
 * surrogate pair for about half of them. Kept as `{ascii, astral}` so the shrunk form stays short.
 */
export const longAstral = fc
  .record({ ascii: fc.integer({ min: 100, max: 300 }), astral: fc.constantFrom('\u{1F525}', '\u{20000}') })
  .map((longAstral) => ({ $longAstral: longAstral }));
export const renderLongAstral = (l: { ascii: number; astral: string }) =>
  `${'a'.repeat(l.ascii)}${l.astral.repeat(20)}`;

/**
 * A string field's value before rendering: a plain string, or a marker object that `renderText`
 * turns into the hazardous string (markers keep fast-check's printed counterexample readable).
 */
export type TextSpec = string | { $hazards: Parts } | { $longAstral: { ascii: number; astral: string } };

export function isTextMarker(v: unknown): v is Exclude<TextSpec, string> {
  if (typeof v !== 'object' || v === null) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === '$hazards' || keys[0] === '$longAstral');
}

/** Text for a string field: plain, any plane, hazards, or long astral; rendered by `renderText`. */
export function textSpec(maxLength: number): fc.Arbitrary<TextSpec> {
  return fc.oneof(
    { weight: 3, arbitrary: plainWords },
    { weight: 2, arbitrary: anyCodePoint },
    { weight: 3, arbitrary: hazardousParts.map((p) => ({ $hazards: p })) },
    ...(maxLength >= 300 ? [{ weight: 2, arbitrary: longAstral }] : []),
  );
}

export function renderText(t: TextSpec): string {
  if (typeof t === 'string') return t;
  if ('$hazards' in t) return renderParts(t.$hazards);
  return renderLongAstral(t.$longAstral);
}
