import {
  CAP_1_2_ONLY_RESPONSE_TYPES,
  CAP_CATEGORIES,
  CAP_CERTAINTIES,
  CAP_MSG_TYPES,
  CAP_NAMESPACES,
  CAP_RESPONSE_TYPES,
  CAP_SCOPES,
  CAP_SEVERITIES,
  CAP_STATUSES,
  CAP_URGENCIES,
  CapAlert,
  capTimeMs,
  XMLDSIG_NAMESPACE,
  type CapArea,
  type CapCircle,
  type CapInfo,
  type CapPoint,
  type CapProblem,
  type CapReference,
  type CapResource,
  type CapValuePair,
  type CapVersion,
} from './cap-model.ts';
import { readXml, XML_MAX_BYTES, type XmlElement } from './xml-read.ts';

/**
 * CAP 1.2 (and 1.1) in: what the XML schema requires — required elements, cardinalities,
 * enumerations, dateTimes with a numeric offset — and the spec's rules beyond it, every problem at
 * once, each at a path like `info[0].area[1].polygon[0]`. Element order is not enforced: real
 * feeds get it wrong and nothing depends on it. Empty optional text elements (`<note></note>`,
 * `<restriction/>`, as IPAWS and Environment Canada send them) count as absent.
 */

export type CapParseResult =
  { ok: true; alert: CapAlert; version: CapVersion } | { ok: false; problems: CapProblem[] };

export type CapParseOptions = { maxBytes?: number };

type Spec = Record<string, { min: 0 | 1; max: 1 | typeof Infinity }>;
const ONE = { min: 1, max: 1 } as const;
const OPT = { min: 0, max: 1 } as const;
const MANY = { min: 0, max: Infinity } as const;
const SOME = { min: 1, max: Infinity } as const;

const ALERT: Spec = {
  identifier: ONE,
  sender: ONE,
  sent: ONE,
  status: ONE,
  msgType: ONE,
  source: OPT,
  scope: ONE,
  restriction: OPT,
  addresses: OPT,
  code: MANY,
  note: OPT,
  references: OPT,
  incidents: OPT,
  info: MANY,
};
const INFO: Spec = {
  language: OPT,
  category: SOME,
  event: ONE,
  responseType: MANY,
  urgency: ONE,
  severity: ONE,
  certainty: ONE,
  audience: OPT,
  eventCode: MANY,
  effective: OPT,
  onset: OPT,
  expires: OPT,
  senderName: OPT,
  headline: OPT,
  description: OPT,
  instruction: OPT,
  web: OPT,
  contact: OPT,
  parameter: MANY,
  resource: MANY,
  area: MANY,
};
const RESOURCE = (v: CapVersion): Spec => ({
  resourceDesc: ONE,
  mimeType: v === '1.2' ? ONE : OPT,
  size: OPT,
  uri: OPT,
  derefUri: OPT,
  digest: OPT,
});
const AREA: Spec = { areaDesc: ONE, polygon: MANY, circle: MANY, geocode: MANY, altitude: OPT, ceiling: OPT };
const PAIR: Spec = { valueName: ONE, value: ONE };
const COMPLEX = new Set(['info', 'eventCode', 'parameter', 'resource', 'area', 'geocode']);

const NUM = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)`;
const POINT_RE = new RegExp(`^(${NUM}),(${NUM})$`);
const DECIMAL_RE = new RegExp(`^${NUM}$`);
const LANGUAGE_RE = /^[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*$/;

export function parseCap(input: string | Uint8Array, opts: CapParseOptions = {}): CapParseResult {
  const xml = readXml(input, opts.maxBytes ?? XML_MAX_BYTES);
  if (!xml.ok) return { ok: false, problems: [{ path: '', message: xml.message }] };
  const root = xml.root;
  const version = (Object.keys(CAP_NAMESPACES) as CapVersion[]).find((v) => CAP_NAMESPACES[v] === root.ns);
  if (root.local !== 'alert' || version === undefined) {
    const what = root.ns ? `{${root.ns}}${root.local}` : root.local;
    return {
      ok: false,
      problems: [{ path: '', message: `not a CAP 1.1 or 1.2 alert: the root element is ${what}` }],
    };
  }
  const reader = new Reader(version, root.ns!);
  const alert = reader.alert(root);
  if (reader.problems.length > 0 || alert === undefined) return { ok: false, problems: reader.problems };
  // The model is the contract of everything downstream: what passed the rules must satisfy it.
  const checked = CapAlert.safeParse(alert);
  if (!checked.success)
    return {
      ok: false,
      problems: checked.error.issues.map((i) => ({ path: capPath(i.path), message: i.message })),
    };
  return { ok: true, alert: checked.data, version };
}

/** The model's names back to CAP's elements: `['infos', 0, 'areas', 1]` → `info[0].area[1]`. */
const MODEL_TO_CAP: Record<string, string> = {
  infos: 'info',
  areas: 'area',
  polygons: 'polygon',
  circles: 'circle',
  resources: 'resource',
  eventCodes: 'eventCode',
  parameters: 'parameter',
  geocodes: 'geocode',
  categories: 'category',
  responseTypes: 'responseType',
  codes: 'code',
};
export function capPath(path: readonly PropertyKey[]): string {
  return path
    .map((k) => (typeof k === 'number' ? `[${k}]` : `.${MODEL_TO_CAP[String(k)] ?? String(k)}`))
    .join('')
    .replace(/^\./, '');
}

type Kids = Map<string, XmlElement[]>;

class Reader {
  readonly problems: CapProblem[] = [];
  constructor(
    private readonly version: CapVersion,
    private readonly ns: string,
  ) {}

  private problem(path: string, message: string) {
    this.problems.push({ path, message });
  }

  /** The children of `el` by local name, checked against `spec` (unknown, too few, too many). */
  private kids(el: XmlElement, path: string, spec: Spec, allowSignature = false): Kids {
    const at = (name: string) => (path ? `${path}.${name}` : name);
    const kids: Kids = new Map();
    for (const child of el.children) {
      if (child.ns === XMLDSIG_NAMESPACE && allowSignature) continue;
      if (child.ns !== this.ns || !(child.local in spec)) {
        this.problem(at(child.local), `unexpected element <${child.qname}> in <${el.local}>`);
        continue;
      }
      const list = kids.get(child.local) ?? [];
      list.push(child);
      kids.set(child.local, list);
    }
    if (el.text.trim() !== '') this.problem(path, `<${el.local}> holds elements, not text`);
    for (const [name, { min, max }] of Object.entries(spec)) {
      const n = kids.get(name)?.length ?? 0;
      if (n < min) this.problem(at(name), `<${name}> is required in <${el.local}>`);
      if (n > max) this.problem(at(name), `<${name}> appears ${n} times in <${el.local}>, at most once`);
      for (const [i, child] of (kids.get(name) ?? []).entries()) {
        const p = max > 1 ? `${at(name)}[${i}]` : at(name);
        if (COMPLEX.has(name)) continue;
        if (child.children.length > 0) this.problem(p, `<${name}> holds text, not elements`);
      }
    }
    return kids;
  }

  /** The trimmed text of the single `name`, undefined when absent or empty. */
  private text(kids: Kids, name: string): string | undefined {
    const t = kids.get(name)?.[0]?.text.trim();
    return t === '' ? undefined : t;
  }

  private required(kids: Kids, name: string, path: string): string {
    const t = this.text(kids, name);
    if (t === undefined && kids.has(name)) this.problem(path, `<${name}> must not be empty`);
    return t ?? '';
  }

  private enumOf<T extends string>(value: string | undefined, allowed: readonly T[], path: string): T {
    if (value !== undefined && !allowed.includes(value as T))
      this.problem(path, `"${value}" is not one of ${allowed.join(', ')}`);
    return value as T;
  }

  private dateTime(value: string | undefined, path: string): string | undefined {
    if (value !== undefined && Number.isNaN(capTimeMs(value)))
      this.problem(path, `"${value}" is not a CAP dateTime (YYYY-MM-DDThh:mm:ss±hh:mm, numeric offset)`);
    return value;
  }

  private capId(value: string, path: string) {
    if (value !== '' && !/^[^\s,<&]+$/.test(value))
      this.problem(path, `"${value}" must not contain spaces, commas, < or &`);
  }

  alert(el: XmlElement): CapAlert | undefined {
    const k = this.kids(el, '', ALERT, true);
    const identifier = this.required(k, 'identifier', 'identifier');
    const sender = this.required(k, 'sender', 'sender');
    this.capId(identifier, 'identifier');
    this.capId(sender, 'sender');
    const sent = this.dateTime(this.required(k, 'sent', 'sent') || undefined, 'sent');
    const status = this.enumOf(this.required(k, 'status', 'status') || undefined, CAP_STATUSES, 'status');
    const msgType = this.enumOf(
      this.required(k, 'msgType', 'msgType') || undefined,
      CAP_MSG_TYPES,
      'msgType',
    );
    const scope = this.enumOf(this.required(k, 'scope', 'scope') || undefined, CAP_SCOPES, 'scope');
    if (status === 'Draft') this.problem('status', 'Draft messages are refused: a draft is not a warning');

    const restriction = this.text(k, 'restriction');
    if (scope === 'Restricted' && restriction === undefined)
      this.problem('restriction', '<restriction> is required with scope Restricted');
    if (scope !== undefined && scope !== 'Restricted' && restriction !== undefined)
      this.problem('restriction', `<restriction> is only for scope Restricted, not ${scope}`);

    const addressesText = this.text(k, 'addresses');
    const addresses = addressesText === undefined ? undefined : this.list(addressesText, 'addresses');
    if (scope === 'Private' && addresses === undefined)
      this.problem('addresses', '<addresses> is required with scope Private');

    const referencesText = this.text(k, 'references');
    const references =
      referencesText === undefined
        ? undefined
        : this.references(referencesText, { identifier, sender, sent });
    if ((msgType === 'Update' || msgType === 'Cancel') && references === undefined)
      this.problem('references', `a${msgType === 'Update' ? 'n' : ''} ${msgType} needs <references>`);

    const incidentsText = this.text(k, 'incidents');
    const infos = (k.get('info') ?? []).map((info, i) => this.info(info, `info[${i}]`));
    return {
      identifier,
      sender,
      sent: sent ?? '',
      status,
      msgType,
      source: this.text(k, 'source'),
      scope,
      restriction,
      addresses,
      codes: (k.get('code') ?? []).map((c) => c.text.trim()).filter((c) => c !== ''),
      note: this.text(k, 'note'),
      references,
      incidents: incidentsText === undefined ? undefined : this.list(incidentsText, 'incidents'),
      infos,
    };
  }

  /** CAP's space-delimited lists; an entry holding spaces is in double quotes. */
  private list(text: string, path: string): string[] {
    if ((text.match(/"/g)?.length ?? 0) % 2 === 1) this.problem(path, 'an opening " has no closing "');
    return [...text.matchAll(/"([^"]*)"|([^\s"]+)/g)].map((m) => m[1] ?? m[2]).filter((s) => s !== '');
  }

  private references(
    text: string,
    self: { identifier: string; sender: string; sent: string | undefined },
  ): CapReference[] {
    const selfMs = self.sent === undefined ? NaN : capTimeMs(self.sent);
    return text.split(/\s+/).map((entry, i) => {
      const path = `references[${i}]`;
      const parts = entry.split(',');
      if (parts.length !== 3 || parts.some((p) => p === '')) {
        this.problem(path, `"${entry}" is not sender,identifier,sent`);
        return { sender: parts[0] ?? '', identifier: parts[1] ?? '', sent: parts[2] ?? '' };
      }
      const [sender, identifier, sent] = parts;
      if (!/^[^<&]+$/.test(sender + identifier)) this.problem(path, `"${entry}": < and & are not allowed`);
      const ms = capTimeMs(sent);
      if (Number.isNaN(ms)) this.problem(path, `"${sent}" is not a CAP dateTime`);
      if (sender === self.sender && identifier === self.identifier)
        this.problem(path, 'a message cannot refer to itself');
      else if (ms > selfMs)
        this.problem(path, `refers to a message sent (${sent}) after this one (${self.sent})`);
      return { sender, identifier, sent };
    });
  }

  private info(el: XmlElement, path: string): CapInfo {
    const k = this.kids(el, path, INFO);
    const at = (name: string) => `${path}.${name}`;
    const language = this.text(k, 'language');
    if (language !== undefined && !LANGUAGE_RE.test(language))
      this.problem(at('language'), `"${language}" is not a language tag (RFC 3066)`);
    const categories = (k.get('category') ?? []).map((c, i) =>
      this.enumOf(c.text.trim(), CAP_CATEGORIES, `${at('category')}[${i}]`),
    );
    const responseTypes = (k.get('responseType') ?? []).map((r, i) => {
      const value = r.text.trim();
      const p = `${at('responseType')}[${i}]`;
      if (this.version === '1.1' && CAP_1_2_ONLY_RESPONSE_TYPES.includes(value))
        this.problem(p, `"${value}" is CAP 1.2, not 1.1`);
      return this.enumOf(value, CAP_RESPONSE_TYPES, p);
    });
    const urgency = this.enumOf(
      this.required(k, 'urgency', at('urgency')) || undefined,
      CAP_URGENCIES,
      at('urgency'),
    );
    const severity = this.enumOf(
      this.required(k, 'severity', at('severity')) || undefined,
      CAP_SEVERITIES,
      at('severity'),
    );
    const certainty = this.enumOf(
      this.required(k, 'certainty', at('certainty')) || undefined,
      CAP_CERTAINTIES,
      at('certainty'),
    );
    const effective = this.dateTime(this.text(k, 'effective'), at('effective'));
    const onset = this.dateTime(this.text(k, 'onset'), at('onset'));
    const expires = this.dateTime(this.text(k, 'expires'), at('expires'));
    const expiresMs = expires === undefined ? NaN : capTimeMs(expires);
    for (const [name, value] of [
      ['effective', effective],
      ['onset', onset],
    ] as const)
      if (value !== undefined && capTimeMs(value) > expiresMs)
        this.problem(at(name), `<${name}> ${value} is after <expires> ${expires}`);

    return {
      language,
      categories,
      event: this.required(k, 'event', at('event')),
      responseTypes,
      urgency,
      severity,
      certainty,
      audience: this.text(k, 'audience'),
      eventCodes: this.pairs(k, 'eventCode', at('eventCode')),
      effective,
      onset,
      expires,
      senderName: this.text(k, 'senderName'),
      headline: this.text(k, 'headline'),
      description: this.text(k, 'description'),
      instruction: this.text(k, 'instruction'),
      web: this.text(k, 'web'),
      contact: this.text(k, 'contact'),
      parameters: this.pairs(k, 'parameter', at('parameter')),
      resources: (k.get('resource') ?? []).map((r, i) => this.resource(r, `${at('resource')}[${i}]`)),
      areas: (k.get('area') ?? []).map((a, i) => this.area(a, `${at('area')}[${i}]`)),
    };
  }

  private pairs(kids: Kids, name: string, path: string): CapValuePair[] {
    return (kids.get(name) ?? []).map((el, i) => {
      const k = this.kids(el, `${path}[${i}]`, PAIR);
      return { valueName: this.text(k, 'valueName') ?? '', value: this.text(k, 'value') ?? '' };
    });
  }

  private resource(el: XmlElement, path: string): CapResource {
    const k = this.kids(el, path, RESOURCE(this.version));
    const at = (name: string) => `${path}.${name}`;
    const sizeText = this.text(k, 'size');
    if (sizeText !== undefined && !/^\+?\d+$/.test(sizeText))
      this.problem(at('size'), `"${sizeText}" is not a size in bytes (a non-negative integer)`);
    return {
      resourceDesc: this.required(k, 'resourceDesc', at('resourceDesc')),
      mimeType:
        this.version === '1.2' ? this.required(k, 'mimeType', at('mimeType')) : this.text(k, 'mimeType'),
      size: sizeText === undefined ? undefined : Number(sizeText),
      uri: this.text(k, 'uri'),
      derefUri: this.text(k, 'derefUri'),
      digest: this.text(k, 'digest'),
    };
  }

  private area(el: XmlElement, path: string): CapArea {
    const k = this.kids(el, path, AREA);
    const at = (name: string) => `${path}.${name}`;
    const decimal = (name: string): number | undefined => {
      const t = this.text(k, name);
      if (t === undefined) return undefined;
      if (!DECIMAL_RE.test(t)) this.problem(at(name), `"${t}" is not a decimal number (feet)`);
      return Number(t);
    };
    const altitude = decimal('altitude');
    const ceiling = decimal('ceiling');
    if (ceiling !== undefined && altitude === undefined)
      this.problem(at('ceiling'), '<ceiling> needs <altitude>');
    return {
      areaDesc: this.required(k, 'areaDesc', at('areaDesc')),
      // An empty <polygon/> (NWS sends them for zone-based warnings) is absent, like any empty text.
      polygons: (k.get('polygon') ?? []).flatMap((p, i) =>
        p.text.trim() === '' ? [] : [this.polygon(p.text, `${at('polygon')}[${i}]`)],
      ),
      circles: (k.get('circle') ?? []).flatMap((c, i) =>
        c.text.trim() === '' ? [] : [this.circle(c.text, `${at('circle')}[${i}]`)],
      ),
      geocodes: this.pairs(k, 'geocode', at('geocode')),
      altitude,
      ceiling,
    };
  }

  /** `lat,lon`; feeds write `lat, lon` too, which is still one point. */
  private static point(token: string): CapPoint | 'malformed' | 'out of range' {
    const m = POINT_RE.exec(token);
    if (!m) return 'malformed';
    const lat = Number(m[1]);
    const lon = Number(m[2]);
    if (lat < -90 || lat > 90 || lon < -180 || lon > 180) return 'out of range';
    return { lat, lon };
  }

  /** One problem per polygon for its bad points, not one per point: a swapped polygon is one mistake. */
  private polygon(text: string, path: string): CapPoint[] {
    const tokens = tidyPoints(text).split(/\s+/);
    const points: CapPoint[] = [];
    const malformed: string[] = [];
    const outOfRange: string[] = [];
    tokens.forEach((token, i) => {
      const p = Reader.point(token);
      if (p === 'malformed') malformed.push(`${i + 1} "${token}"`);
      else if (p === 'out of range') outOfRange.push(`${i + 1} "${token}"`);
      else points.push(p);
    });
    const points_ = (list: string[]) => `point${list.length > 1 ? 's' : ''} ${list.join(', ')}`;
    if (malformed.length > 0) this.problem(path, `${points_(malformed)} not "lat,lon"`);
    if (outOfRange.length > 0)
      this.problem(
        path,
        `${points_(outOfRange)} out of range (CAP points are lat,lon: lat within ±90, lon ±180)`,
      );
    if (malformed.length + outOfRange.length > 0) return points;
    if (points.length < 4) this.problem(path, `a polygon needs at least 4 points, it has ${points.length}`);
    else {
      const [a, b] = [points[0], points[points.length - 1]];
      if (a.lat !== b.lat || a.lon !== b.lon)
        this.problem(path, 'the polygon is not closed: its last point must repeat its first');
    }
    return points;
  }

  private circle(text: string, path: string): CapCircle {
    const tokens = tidyPoints(text)
      .split(/\s+/)
      .filter((t) => t !== '');
    const fallback = { center: { lat: 0, lon: 0 }, radiusKm: 0 };
    if (tokens.length !== 2) {
      this.problem(path, `"${text.trim()}" is not a circle "lat,lon radius-km"`);
      return fallback;
    }
    const center = Reader.point(tokens[0]);
    if (typeof center === 'string')
      this.problem(
        path,
        `the centre "${tokens[0]}" is ${center === 'malformed' ? 'not "lat,lon"' : 'out of range (lat,lon: lat within ±90, lon ±180)'}`,
      );
    const radiusKm = Number(tokens[1]);
    if (!DECIMAL_RE.test(tokens[1]) || radiusKm < 0) {
      this.problem(path, `"${tokens[1]}" is not a radius in km (a non-negative number)`);
      return fallback;
    }
    return typeof center === 'string' ? fallback : { center, radiusKm };
  }
}

/** Spaces around a point's comma do not split it ("31.2, 121.4" is one point). */
function tidyPoints(text: string): string {
  return text.trim().replace(/\s*,\s*/g, ',');
}
