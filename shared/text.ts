/**
 * User text: one set of rules for every string a person or an integration types.
 *
 * Text goes into JSON that is stored, logged, fanned out to every console and printed. A lone
 * UTF-16 surrogate is not text (no encoding can carry it, and Redis' cjson refuses its escape), a
 * control character is not text either (it reorders or hides what operators read), and a title of
 * zero-width spaces shows as nothing on the wall. Lengths are counted in code points, as people
 * count characters, so an emoji or a rare CJK character is one, not two.
 */
import { z } from 'zod';

/** C0, DEL and C1 controls; `\n` and `\t` are allowed back in multi-line fields. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_NL_TAB = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u;
/** What shows as nothing: whitespace, zero-width and format characters, controls, Hangul fillers, blank Braille. */
const INVISIBLE = /[\s\p{Cf}\p{Z}\p{Cc}\u115f\u1160\u3164\uffa0\u2800]/gu;
/** With the `u` flag a paired surrogate is one code point, so this matches only lone ones. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/** `String.prototype.isWellFormed` (Node 20, current browsers), with the same test where it is missing. */
export function isWellFormed(s: string): boolean {
  const native = (s as unknown as { isWellFormed?: () => boolean }).isWellFormed;
  return typeof native === 'function' ? native.call(s) : !LONE_SURROGATE.test(s);
}

/** Length in code points (an emoji is 1, not 2). */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** True when nothing would show: empty, or only whitespace, zero-width and format characters. */
export function isInvisible(s: string): boolean {
  return s.replace(INVISIBLE, '') === '';
}

const hex = (s: string) => `U+${s.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

export type TextRules = {
  /** Most code points allowed. */
  max: number;
  /** `\n` and `\t` allowed (descriptions, notes, report text). */
  multiline?: boolean;
  /** Must show something once whitespace and invisible characters are removed (titles, names). */
  visible?: boolean;
};

/** Every problem of `s` under `rules`, as messages that name it; empty when it is fine. */
export function textProblems(s: string, rules: TextRules): string[] {
  // An ill-formed string makes the other checks meaningless (and its message is the useful one).
  if (!isWellFormed(s))
    return ['ill-formed text: contains an unpaired UTF-16 surrogate (send well-formed UTF-8/UTF-16)'];
  const out: string[] = [];
  const ctl = (rules.multiline ? CONTROL_EXCEPT_NL_TAB : CONTROL).exec(s);
  if (ctl)
    out.push(
      `contains the control character ${hex(ctl[0])}` +
        (rules.multiline ? ' (only line breaks and tabs are allowed)' : ' (no line breaks or tabs here)'),
    );
  if (rules.visible && isInvisible(s))
    out.push('must contain visible text, not only blanks or invisible characters');
  const n = codePointLength(s);
  if (n > rules.max) out.push(`must be at most ${rules.max} characters (has ${n})`);
  return out;
}

function build(rules: TextRules, trim: boolean) {
  let base = trim ? z.string().trim() : z.string();
  // Windows systems (many hotline platforms) send CRLF: one line break, stored as `\n`.
  if (rules.multiline) base = base.overwrite((v) => v.replace(/\r\n?/g, '\n'));
  return base.superRefine((value, ctx) => {
    for (const message of textProblems(value, rules)) ctx.addIssue({ code: 'custom', message });
  });
}

/**
 * The builders. Names and titles (`line`) are trimmed, one line and must show something;
 * `plainLine` (an address) is one line but may be blank; `multiline` (a description, a note, a
 * report) allows line breaks and tabs; `requiredMultiline` must also show something. All but `id`
 * trim first: blanks around a whole field never mean anything, and limits count what is kept.
 */
export const text = {
  line: (max: number) => build({ max, visible: true }, true),
  plainLine: (max: number) => build({ max }, true),
  multiline: (max: number) => build({ max, multiline: true }, true),
  requiredMultiline: (max: number) => build({ max, multiline: true, visible: true }, true),
  /** An identifier sent by a client: never trimmed (it must match as sent), one line, visible. */
  id: (max = 128) => build({ max, visible: true }, false),
  /** Text in stored entities and events: whatever was accepted, so only well-formedness and no stray controls. */
  stored: () => build({ max: Number.MAX_SAFE_INTEGER, multiline: true }, false),
};

const segmenter =
  typeof Intl !== 'undefined' && 'Segmenter' in Intl
    ? new Intl.Segmenter(undefined, { granularity: 'grapheme' })
    : null;

/**
 * Cuts `s` to at most `max` code points, the ellipsis included, on a grapheme boundary (so neither
 * a surrogate pair nor an emoji sequence or a base letter and its accent is split). Text that fits
 * comes back unchanged.
 */
export function truncate(s: string, max: number, ellipsis = '…'): string {
  if (codePointLength(s) <= max) return s;
  const room = Math.max(0, max - codePointLength(ellipsis));
  let out = '';
  let used = 0;
  const pieces: Iterable<string> = segmenter
    ? (function* () {
        for (const g of segmenter.segment(s)) yield g.segment;
      })()
    : s; // a string iterates by code point
  for (const piece of pieces) {
    const n = codePointLength(piece);
    if (used + n > room) break;
    out += piece;
    used += n;
  }
  return out + ellipsis;
}
