/**
 * multipart/mixed and multipart/form-data bodies as Hikvision cameras post them (HTTP listening
 * mode) or stream them (`/ISAPI/Event/notification/alertStream`): parts split on the boundary of
 * the Content-Type, each with its own headers. Tolerated as cameras send them: bare LF line
 * ends, a missing closing `--boundary--` (a stream cut mid-way), a `Content-Length` that lies.
 */

export type Part = { headers: Record<string, string>; body: Uint8Array };

export type MultipartResult = { ok: true; parts: Part[] } | { ok: false; message: string };

export const MAX_PARTS = 32;

export function boundaryOf(contentType: string): string | null {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (!type.startsWith('multipart/')) return null;
  const m = /;\s*boundary\s*=\s*(?:"([^"]{1,200})"|([^\s;"]{1,200}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : null;
}

export function parseMultipart(body: Uint8Array, boundary: string): MultipartResult {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Part[] = [];
  let at = buf.indexOf(delimiter);
  if (at < 0) return { ok: false, message: `the boundary "${boundary}" does not occur in the body` };
  while (at >= 0) {
    let start = at + delimiter.length;
    if (buf[start] === 0x2d && buf[start + 1] === 0x2d) break; // closing delimiter
    // The rest of the delimiter line (transport padding) and its line end.
    while (start < buf.length && buf[start] !== 0x0a) start++;
    start++;
    const next = buf.indexOf(delimiter, start);
    let end = next < 0 ? buf.length : next;
    // The line end before the next delimiter belongs to it.
    if (next >= 0 && buf[end - 1] === 0x0a) end--;
    if (next >= 0 && buf[end - 1] === 0x0d) end--;
    if (start < end) {
      const part = splitPart(buf.subarray(start, end));
      if (part) parts.push(part);
      if (parts.length > MAX_PARTS) return { ok: false, message: `more than ${MAX_PARTS} parts` };
    }
    at = next;
  }
  if (parts.length === 0) return { ok: false, message: 'no part in the multipart body' };
  return { ok: true, parts };
}

function splitPart(raw: Buffer): Part | null {
  // Some firmware writes a blank line between the delimiter and the part's headers; a real
  // header-less part (its body right after the blank line) does not start with `Name: value`.
  const lead = /^(?:\r?\n)+(?=[A-Za-z][A-Za-z0-9-]*:[ \t])/.exec(raw.subarray(0, 200).toString('latin1'));
  if (lead) raw = raw.subarray(lead[0].length);
  let sep = raw.indexOf('\r\n\r\n');
  let skip = 4;
  const lf = raw.indexOf('\n\n');
  if (sep < 0 || (lf >= 0 && lf < sep)) {
    sep = lf;
    skip = 2;
  }
  if (sep < 0) return null;
  const headers: Record<string, string> = {};
  for (const line of raw.subarray(0, sep).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(sep + skip);
  // Alert streams may end a part's body with a line end of their own before the delimiter's.
  const declared = Number(headers['content-length']);
  if (Number.isInteger(declared) && declared >= 0 && declared < body.length)
    body = body.subarray(0, declared);
  return { headers, body: new Uint8Array(body) };
}
