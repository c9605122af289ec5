import { boundaryOf, parseMultipart } from './multipart.ts';
import {
  byteSize,
  DEFAULT_OFFSET_MINUTES,
  deviceTimeMs,
  iso,
  textIssues,
  type ParseOptions,
  type ParseResult,
  type Problem,
  type Snapshot,
  type VendorEvent,
} from './vendor-event.ts';
import { childNamed, descendantsNamed, readXmlTree, type XmlNode } from './xml-tree.ts';

/**
 * Hikvision ISAPI `EventNotificationAlert`: the XML body a camera or NVR posts in HTTP listening
 * mode, or a multipart body carrying it (and a JPEG of the moment). The namespace varies by
 * firmware (`hikvision.com/ver10|ver20`, `std-cgi.com`, `isapi.com`, `urn:psialliance-org`) or is
 * absent, so fields are read by local name.
 *
 * - `videoloss` + `inactive` is the idle heartbeat cameras repeat every few seconds (and
 *   `heartBeat` on some firmware): kind `heartbeat`, never an alarm.
 * - `duration` events (an NVR's "the alarm is still going") name their real type in
 *   `DurationList/Duration/relationEvent`: that becomes `vendorType`.
 * - An NVR sends `dynChannelID` (the IP channel) beside `channelID`: it is the one used.
 */

/** An alert's XML is ~1–2 KB; the limit leaves room for region lists. */
export const HIKVISION_XML_MAX_BYTES = 64 * 1024;
/** A multipart body with a 4K JPEG is ~1–2 MB. */
export const HIKVISION_BODY_MAX_BYTES = 8 * 1024 * 1024;
export const SNAPSHOT_MAX_BYTES = 4 * 1024 * 1024;

const HEARTBEAT_TYPES = new Set(['heartbeat']);

export function parseHikvisionXml(
  input: string | Uint8Array,
  options: ParseOptions & { peerAddress?: string },
): ParseResult {
  const tree = readXmlTree(input, HIKVISION_XML_MAX_BYTES);
  if (!tree.ok) return { ok: false, problems: [{ path: '', message: tree.message }] };
  return fromAlert(tree.root, '', options);
}

/**
 * A body as posted, by its Content-Type: XML (`application/xml`, `text/xml`, none) or multipart
 * (`multipart/mixed`, `multipart/form-data`, `multipart/x-mixed-replace`, boundary from the
 * header). Every XML part is an event; the first JPEG part is the snapshot of the alarms.
 */
export function parseHikvisionBody(
  body: Uint8Array,
  contentType: string | undefined,
  options: ParseOptions & { peerAddress?: string },
): ParseResult {
  const size = byteSize(body);
  if (size > HIKVISION_BODY_MAX_BYTES)
    return {
      ok: false,
      problems: [{ path: '', message: `body too large: ${size} bytes, at most ${HIKVISION_BODY_MAX_BYTES}` }],
    };
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (!type.startsWith('multipart/')) {
    if (type !== '' && !/^(application|text)\/([a-z.+-]*\+)?xml$/.test(type))
      return {
        ok: false,
        problems: [{ path: '', message: `unsupported Content-Type "${type}": send XML or multipart` }],
      };
    return parseHikvisionXml(body, options);
  }
  const boundary = boundaryOf(contentType!);
  if (!boundary)
    return { ok: false, problems: [{ path: '', message: 'multipart Content-Type without a boundary' }] };
  const split = parseMultipart(body, boundary);
  if (!split.ok) return { ok: false, problems: [{ path: '', message: split.message }] };

  const problems: Problem[] = [];
  // A picture that is not one loses the picture, not the alarm: a fire must reach the wall.
  const notes: Problem[] = [];
  const events: VendorEvent[] = [];
  let snapshot: Snapshot | undefined;
  split.parts.forEach((part, i) => {
    const path = `part[${i}]`;
    const mime = (part.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const looksXml =
      /xml/.test(mime) ||
      (mime === '' && /^\s*</.test(Buffer.from(part.body.subarray(0, 64)).toString('latin1')));
    if (looksXml) {
      const tree = readXmlTree(part.body, HIKVISION_XML_MAX_BYTES);
      if (!tree.ok) return problems.push({ path, message: tree.message });
      const r = fromAlert(tree.root, path, options);
      if (r.ok) events.push(...r.events);
      else problems.push(...r.problems);
    } else if (mime.startsWith('image/')) {
      if (snapshot) return;
      if (mime !== 'image/jpeg' && mime !== 'image/jpg')
        return notes.push({
          path,
          message: `unsupported image type "${mime}" (cameras send image/jpeg): no snapshot`,
        });
      const b = part.body;
      if (!(b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff))
        return notes.push({
          path,
          message: 'declared image/jpeg but is not a JPEG (no FF D8 FF): no snapshot',
        });
      if (b.byteLength > SNAPSHOT_MAX_BYTES)
        return notes.push({
          path,
          message: `image too large: ${b.byteLength} bytes, at most ${SNAPSHOT_MAX_BYTES}: no snapshot`,
        });
      snapshot = { bytes: b, mime: 'image/jpeg' };
    }
    // Other parts (JSON smart-event twins, text) are not events here.
  });
  if (events.length === 0 && problems.length === 0)
    problems.push({ path: '', message: 'no EventNotificationAlert part in the multipart body' });
  if (problems.length > 0) return { ok: false, problems };
  if (snapshot) for (const e of events) if (e.kind === 'alarm' && e.active) e.snapshot = snapshot;
  return notes.length > 0 ? { ok: true, events, notes } : { ok: true, events };
}

const MAC =
  /^([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})$/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-f:.]{2,45}$/i;
const EVENT_TYPE = /^[A-Za-z0-9_.-]{1,64}$/;

/** A MAC address in one spelling (lower case, colons), or null. */
export function normalizeMac(s: string): string | null {
  const m = MAC.exec(s.trim());
  return m ? m.slice(1, 7).join(':').toLowerCase() : null;
}

function fromAlert(
  root: XmlNode,
  base: string,
  options: ParseOptions & { peerAddress?: string },
): ParseResult {
  const at = (field: string) => (base ? `${base}.${field}` : field);
  if (root.local !== 'EventNotificationAlert')
    return {
      ok: false,
      problems: [{ path: base, message: `expected an EventNotificationAlert, not <${root.qname}>` }],
    };
  const problems: Problem[] = [];
  const value = (name: string): string | undefined => {
    const el = childNamed(root, name);
    const v = el?.text.trim();
    return v === undefined || v === '' ? undefined : v;
  };

  let eventType = value('eventType');
  if (eventType === undefined) problems.push({ path: at('eventType'), message: 'required' });
  else if (!EVENT_TYPE.test(eventType))
    problems.push({ path: at('eventType'), message: 'must be letters, digits, "_", "-" or ".", at most 64' });

  const state = value('eventState')?.toLowerCase();
  if (state === undefined) problems.push({ path: at('eventState'), message: 'required' });
  else if (state !== 'active' && state !== 'inactive')
    problems.push({ path: at('eventState'), message: 'must be "active" or "inactive"' });

  let macAddress: string | undefined;
  const mac = value('macAddress');
  if (mac !== undefined) {
    macAddress = normalizeMac(mac) ?? undefined;
    if (!macAddress) problems.push({ path: at('macAddress'), message: 'not a MAC address' });
  }

  let ipAddress = value('ipAddress') ?? value('ipv6Address') ?? options.peerAddress;
  if (ipAddress !== undefined && !IPV4.test(ipAddress) && !IPV6.test(ipAddress)) {
    problems.push({ path: at('ipAddress'), message: 'not an IP address' });
    ipAddress = undefined;
  }

  const channel = value('dynChannelID') ?? value('channelID');
  if (channel !== undefined && !/^\d{1,6}$/.test(channel))
    problems.push({
      path: at(value('dynChannelID') ? 'dynChannelID' : 'channelID'),
      message: 'must be a channel number',
    });

  const posts = value('activePostCount');
  if (posts !== undefined && !/^\d{1,10}$/.test(posts))
    problems.push({ path: at('activePostCount'), message: 'must be a whole number' });

  let observedMs = options.receivedAt;
  const when = value('dateTime');
  if (when !== undefined) {
    const t = deviceTimeMs(when, options.defaultOffsetMinutes ?? DEFAULT_OFFSET_MINUTES);
    if (t.ok) observedMs = t.ms;
    else problems.push({ path: at('dateTime'), message: t.message });
  }

  const description = value('eventDescription');
  if (description !== undefined) problems.push(...textIssues(description, 500, at('eventDescription')));

  // A duration event names the alarm it prolongs.
  if (eventType?.toLowerCase() === 'duration') {
    const relation = descendantsNamed(root, 'relationEvent')[0]?.text.trim();
    if (relation && EVENT_TYPE.test(relation)) eventType = relation;
  }
  if (problems.length > 0 || eventType === undefined) return { ok: false, problems };

  const active = state === 'active';
  const lower = eventType.toLowerCase();
  const kind: VendorEvent['kind'] =
    HEARTBEAT_TYPES.has(lower) || (lower === 'videoloss' && !active) ? 'heartbeat' : 'alarm';
  const hikvision: { ipAddress?: string; macAddress?: string; channelID?: string } = {};
  if (ipAddress !== undefined) hikvision.ipAddress = ipAddress;
  if (macAddress !== undefined) hikvision.macAddress = macAddress;
  if (channel !== undefined) hikvision.channelID = String(Number(channel));
  return {
    ok: true,
    events: [
      {
        vendor: 'hikvision',
        device: { hikvision },
        kind,
        vendorType: eventType,
        active,
        observedAt: iso(observedMs),
      },
    ],
  };
}
