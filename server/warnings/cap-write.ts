import {
  CAP_NAMESPACES,
  CapAlert,
  type CapArea,
  type CapInfo,
  type CapPoint,
  type CapResource,
  type CapValuePair,
} from './cap-model.ts';

/**
 * CAP 1.2 out: every element in the schema's order (the schema is a sequence; order matters to
 * validators even though we do not enforce it on input), times with numeric offsets, `lat,lon`
 * points, text escaped. A 1.1 message parsed earlier comes out as 1.2: the only 1.1 freedom that
 * 1.2 lacks is a resource without `mimeType`, written as `application/octet-stream`.
 */

/** China Standard Time: the offset Pingzhan writes its own times in (no daylight saving). */
export const CST_OFFSET_MINUTES = 8 * 60;

/** An instant as a CAP dateTime, `2026-12-01T19:30:00+08:00` (never `Z`, no fraction). */
export function capDateTime(ms: number, offsetMinutes = CST_OFFSET_MINUTES): string {
  if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${ms}`);
  const local = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}

// XML 1.0 cannot carry these at all, escaped or not.
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function escapeXml(s: string): string {
  return s
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/** CAP's space-delimited lists: an entry holding whitespace goes in double quotes. */
function list(items: readonly string[]): string {
  return items
    .map((item) => {
      if (item.includes('"')) throw new Error(`a CAP list entry cannot hold a double quote: ${item}`);
      return /\s/.test(item) ? `"${item}"` : item;
    })
    .join(' ');
}

/** A decimal as XML Schema writes one: never `1e-7`. */
function decimal(n: number): string {
  const s = String(n);
  return /e/i.test(s) ? n.toFixed(12).replace(/\.?0+$/, '') : s;
}

const point = (p: CapPoint) => `${decimal(p.lat)},${decimal(p.lon)}`;

class Out {
  private readonly lines: string[] = [];
  constructor(private depth = 0) {}
  open(name: string, attrs = '') {
    this.lines.push(`${'  '.repeat(this.depth++)}<${name}${attrs}>`);
  }
  close(name: string) {
    this.lines.push(`${'  '.repeat(--this.depth)}</${name}>`);
  }
  el(name: string, value: string | number | undefined) {
    if (value === undefined) return;
    this.lines.push(`${'  '.repeat(this.depth)}<${name}>${escapeXml(String(value))}</${name}>`);
  }
  pairs(name: string, pairs: readonly CapValuePair[]) {
    for (const p of pairs) {
      this.open(name);
      this.el('valueName', p.valueName);
      this.el('value', p.value);
      this.close(name);
    }
  }
  toString() {
    return this.lines.join('\n');
  }
}

export function writeCap(input: CapAlert): string {
  const alert = CapAlert.parse(input);
  const out = new Out();
  out.open('alert', ` xmlns="${CAP_NAMESPACES['1.2']}"`);
  out.el('identifier', alert.identifier);
  out.el('sender', alert.sender);
  out.el('sent', alert.sent);
  out.el('status', alert.status);
  out.el('msgType', alert.msgType);
  out.el('source', alert.source);
  out.el('scope', alert.scope);
  out.el('restriction', alert.restriction);
  out.el('addresses', alert.addresses && list(alert.addresses));
  for (const code of alert.codes) out.el('code', code);
  out.el('note', alert.note);
  out.el('references', alert.references?.map((r) => `${r.sender},${r.identifier},${r.sent}`).join(' '));
  out.el('incidents', alert.incidents && list(alert.incidents));
  for (const info of alert.infos) writeInfo(out, info);
  out.close('alert');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${out.toString()}\n`;
}

function writeInfo(out: Out, info: CapInfo) {
  out.open('info');
  out.el('language', info.language);
  for (const c of info.categories) out.el('category', c);
  out.el('event', info.event);
  for (const r of info.responseTypes) out.el('responseType', r);
  out.el('urgency', info.urgency);
  out.el('severity', info.severity);
  out.el('certainty', info.certainty);
  out.el('audience', info.audience);
  out.pairs('eventCode', info.eventCodes);
  out.el('effective', info.effective);
  out.el('onset', info.onset);
  out.el('expires', info.expires);
  out.el('senderName', info.senderName);
  out.el('headline', info.headline);
  out.el('description', info.description);
  out.el('instruction', info.instruction);
  out.el('web', info.web);
  out.el('contact', info.contact);
  out.pairs('parameter', info.parameters);
  for (const r of info.resources) writeResource(out, r);
  for (const a of info.areas) writeArea(out, a);
  out.close('info');
}

function writeResource(out: Out, r: CapResource) {
  out.open('resource');
  out.el('resourceDesc', r.resourceDesc);
  out.el('mimeType', r.mimeType ?? 'application/octet-stream');
  out.el('size', r.size);
  out.el('uri', r.uri);
  out.el('derefUri', r.derefUri);
  out.el('digest', r.digest);
  out.close('resource');
}

function writeArea(out: Out, a: CapArea) {
  out.open('area');
  out.el('areaDesc', a.areaDesc);
  for (const p of a.polygons) out.el('polygon', p.map(point).join(' '));
  for (const c of a.circles) out.el('circle', `${point(c.center)} ${decimal(c.radiusKm)}`);
  out.pairs('geocode', a.geocodes);
  out.el('altitude', a.altitude === undefined ? undefined : decimal(a.altitude));
  out.el('ceiling', a.ceiling === undefined ? undefined : decimal(a.ceiling));
  out.close('area');
}
