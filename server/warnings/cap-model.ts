import { z } from 'zod';

/**
 * The CAP alert as Pingzhan holds it once parsed (OASIS CAP 1.2; 1.1 maps onto it unchanged).
 * Names follow the CAP elements so the spec reads as the documentation; lists that CAP writes as
 * space-delimited text (`addresses`, `references`, `incidents`, polygon points) are parsed into
 * arrays, and points are `{lat, lon}` objects so nobody has to remember which comes first.
 * Times stay the CAP strings, offset included (`2026-12-01T08:00:00+08:00`): the offset is what the
 * sender said and what CAP out must repeat; `capTimeMs` turns one into an instant.
 */

export const CAP_NAMESPACES = {
  '1.1': 'urn:oasis:names:tc:emergency:cap:1.1',
  '1.2': 'urn:oasis:names:tc:emergency:cap:1.2',
} as const;
export type CapVersion = keyof typeof CAP_NAMESPACES;
/** XML-DSig: the only foreign elements the schema allows, at the end of `alert`. */
export const XMLDSIG_NAMESPACE = 'http://www.w3.org/2000/09/xmldsig#';

export const CAP_STATUSES = ['Actual', 'Exercise', 'System', 'Test', 'Draft'] as const;
export const CAP_MSG_TYPES = ['Alert', 'Update', 'Cancel', 'Ack', 'Error'] as const;
export const CAP_SCOPES = ['Public', 'Restricted', 'Private'] as const;
export const CAP_CATEGORIES = [
  'Geo',
  'Met',
  'Safety',
  'Security',
  'Rescue',
  'Fire',
  'Health',
  'Env',
  'Transport',
  'Infra',
  'CBRNE',
  'Other',
] as const;
/** CAP 1.2 added `Avoid` and `AllClear`; a 1.1 message may not use them. */
export const CAP_RESPONSE_TYPES = [
  'Shelter',
  'Evacuate',
  'Prepare',
  'Execute',
  'Avoid',
  'Monitor',
  'Assess',
  'AllClear',
  'None',
] as const;
export const CAP_1_2_ONLY_RESPONSE_TYPES: readonly string[] = ['Avoid', 'AllClear'];
export const CAP_URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const;
export const CAP_SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const;
export const CAP_CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const;

/**
 * The schema's dateTime pattern (`\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-,+]\d\d:\d\d`, its stray comma
 * left out): seconds, no fraction, and a numeric offset, never `Z`. `-00:00` is CAP's UTC.
 */
export const CAP_DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):(\d{2})$/;

/** Milliseconds since the epoch of a CAP dateTime, or NaN when it is not one (or not a real date). */
export function capTimeMs(s: string): number {
  const m = CAP_DATETIME_RE.exec(s);
  if (!m) return NaN;
  const [, y, mo, d, h, mi, sec, sign, oh, om] = m;
  const [Y, M, D, H, Mi, S, OH, OM] = [y, mo, d, h, mi, sec, oh, om].map(Number);
  if (M < 1 || M > 12 || D < 1 || H > 23 || Mi > 59 || S > 59 || OH > 14 || OM > 59) return NaN;
  if (OH === 14 && OM > 0) return NaN;
  const local = Date.UTC(Y, M - 1, D, H, Mi, S);
  // Date.UTC rolls 31 February over into March: a date that does not come back is not a date.
  if (new Date(local).getUTCDate() !== D) return NaN;
  return local - (sign === '+' ? 1 : -1) * (OH * 60 + OM) * 60_000;
}

export const CapDateTime = z
  .string()
  .refine((s) => !Number.isNaN(capTimeMs(s)), { message: 'not a CAP dateTime (YYYY-MM-DDThh:mm:ss±hh:mm)' });

/** `identifier` and `sender`: no whitespace, commas, `<` or `&` (CAP 1.2 §3.2.1). */
export const CapId = z.string().regex(/^[^\s,<&]+$/, 'must not be empty or contain spaces, commas, < or &');

export const CapPoint = z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) });
export type CapPoint = z.infer<typeof CapPoint>;

const samePoint = (a: CapPoint, b: CapPoint) => a.lat === b.lat && a.lon === b.lon;
/** A closed ring of at least four points, first = last. */
export const CapPolygon = z
  .array(CapPoint)
  .min(4, 'a polygon needs at least 4 points')
  .refine((ps) => ps.length < 1 || samePoint(ps[0], ps[ps.length - 1]), 'a polygon must be closed');
export type CapPolygon = z.infer<typeof CapPolygon>;

export const CapCircle = z.object({ center: CapPoint, radiusKm: z.number().min(0) });
export type CapCircle = z.infer<typeof CapCircle>;

export const CapValuePair = z.object({ valueName: z.string(), value: z.string() });
export type CapValuePair = z.infer<typeof CapValuePair>;

export const CapArea = z.object({
  areaDesc: z.string().min(1),
  polygons: z.array(CapPolygon),
  circles: z.array(CapCircle),
  geocodes: z.array(CapValuePair),
  altitude: z.number().optional(),
  ceiling: z.number().optional(),
});
export type CapArea = z.infer<typeof CapArea>;

export const CapResource = z.object({
  resourceDesc: z.string().min(1),
  /** Required in CAP 1.2, optional in 1.1 (absent only when parsed from 1.1). */
  mimeType: z.string().optional(),
  size: z.number().int().nonnegative().optional(),
  uri: z.string().optional(),
  derefUri: z.string().optional(),
  digest: z.string().optional(),
});
export type CapResource = z.infer<typeof CapResource>;

export const CapInfo = z.object({
  language: z.string().optional(),
  categories: z.array(z.enum(CAP_CATEGORIES)).min(1),
  event: z.string().min(1),
  responseTypes: z.array(z.enum(CAP_RESPONSE_TYPES)),
  urgency: z.enum(CAP_URGENCIES),
  severity: z.enum(CAP_SEVERITIES),
  certainty: z.enum(CAP_CERTAINTIES),
  audience: z.string().optional(),
  eventCodes: z.array(CapValuePair),
  effective: CapDateTime.optional(),
  onset: CapDateTime.optional(),
  expires: CapDateTime.optional(),
  senderName: z.string().optional(),
  headline: z.string().optional(),
  description: z.string().optional(),
  instruction: z.string().optional(),
  web: z.string().optional(),
  contact: z.string().optional(),
  parameters: z.array(CapValuePair),
  resources: z.array(CapResource),
  areas: z.array(CapArea),
});
export type CapInfo = z.infer<typeof CapInfo>;

/** One entry of `references`: `sender,identifier,sent`. */
export const CapReference = z.object({ sender: CapId, identifier: CapId, sent: CapDateTime });
export type CapReference = z.infer<typeof CapReference>;

export const CapAlert = z.object({
  identifier: CapId,
  sender: CapId,
  sent: CapDateTime,
  status: z.enum(CAP_STATUSES),
  msgType: z.enum(CAP_MSG_TYPES),
  source: z.string().optional(),
  scope: z.enum(CAP_SCOPES),
  restriction: z.string().optional(),
  /** Space-delimited in CAP, an entry with spaces in double quotes. */
  addresses: z.array(z.string().min(1)).optional(),
  codes: z.array(z.string()),
  note: z.string().optional(),
  references: z.array(CapReference).optional(),
  incidents: z.array(z.string().min(1)).optional(),
  infos: z.array(CapInfo),
});
export type CapAlert = z.infer<typeof CapAlert>;

/** One problem of a message, `path` like `info[0].area[1].polygon[0]` (empty: the whole message). */
export type CapProblem = { path: string; message: string };
