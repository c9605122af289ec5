/**
 * A `Range` request header against a file of `size` bytes (RFC 9110 §14): what a PMTiles reader
 * sends is one range (`bytes=0-16383`, then a directory or a tile at a time).
 */
export type RangeAnswer =
  /** No usable Range: answer the whole file (200). */
  | { kind: 'whole' }
  /** One satisfiable range, clamped to the file (206). */
  | { kind: 'part'; start: number; end: number }
  /** Well-formed, but nothing of it lies in the file (416). */
  | { kind: 'unsatisfiable' };

const SPEC = /^(\d*)-(\d*)$/;

export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return { kind: 'whole' };
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  // Another unit, or garbage: a server ignores a Range it does not understand.
  if (!m) return { kind: 'whole' };
  const specs = m[1]!.split(',').map((s) => s.trim());
  // Several ranges would need a multipart answer; the spec lets a server ignore Range instead,
  // and no PMTiles reader asks for more than one.
  if (specs.length !== 1) return { kind: 'whole' };
  const r = SPEC.exec(specs[0]!);
  if (!r || (r[1] === '' && r[2] === '')) return { kind: 'whole' };
  if (r[1] === '') {
    // bytes=-N: the last N bytes
    const n = Number(r[2]);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'part', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(r[1]);
  const last = r[2] === '' ? size - 1 : Number(r[2]);
  if (last < start) return { kind: 'whole' };
  if (start >= size) return { kind: 'unsatisfiable' };
  // A range past the end is cut to it: the reader's first 16 KiB read of a smaller file is a 206.
  return { kind: 'part', start, end: Math.min(last, size - 1) };
}
