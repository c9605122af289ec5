import { z } from 'zod';
import { text } from './text.ts';

/** A WGS84 point. Range-checked so a swapped lat/lng or a typo is refused at the edge. */
export const LngLat = z.object({
  lng: z.number().min(-180).max(180),
  lat: z.number().min(-90).max(90),
});
export type LngLat = z.infer<typeof LngLat>;
/** A point a client sends: nothing but `lng` and `lat` (an unknown key is refused, not dropped). */
export const LngLatInput = z.strictObject(LngLat.shape);

/** Chinese practice: 1 = I (especially major, red) … 4 = IV (general, blue). */
export const Severity = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);
export type Severity = z.infer<typeof Severity>;
export const SEVERITY_COLORS: Record<Severity, string> = {
  1: '#d7191c',
  2: '#f17c0f',
  3: '#f2c200',
  4: '#2b83ba',
};

export const IsoTime = z.iso.datetime({ offset: true });

export const Role = z.enum(['duty', 'commander', 'liaison', 'admin', 'subcentre', 'department']);
export type Role = z.infer<typeof Role>;
/** The centre's own operators: they see the whole district. */
export const OPERATOR_ROLES = ['duty', 'commander', 'liaison', 'admin'] as const satisfies readonly Role[];
export type OperatorRole = (typeof OPERATOR_ROLES)[number];
/**
 * Bound to one street (`subcentre`, a street/town sub-centre) or one department (`department`):
 * they see and act on their own cases only, and anything outside their scope is `404`.
 */
export const SCOPED_ROLES = ['subcentre', 'department'] as const satisfies readonly Role[];
export type ScopedRole = (typeof SCOPED_ROLES)[number];
export const isScoped = (role: Role): role is ScopedRole => (SCOPED_ROLES as readonly Role[]).includes(role);

/** Ids come back in bodies and paths: never trimmed (they must match as sent), visible, well-formed. */
export const Id = text.id(128);

export const ModeState = z.enum(['peacetime', 'wartime']);
export type ModeState = z.infer<typeof ModeState>;

export const Mode = z.object({
  state: ModeState,
  since: IsoTime,
  reason: text.stored().optional(),
  actor: text.stored().optional(),
  /** Operations keeping the district in wartime. */
  operationIds: z.array(Id).default([]),
});
export type Mode = z.infer<typeof Mode>;

/**
 * The mean Earth radius (IUGG) in metres: the one sphere every distance and offset in Pingzhan
 * is measured on, so that a point placed r metres away is r metres away by `distanceM`.
 */
export const EARTH_RADIUS_M = 6371008.8;

const toRad = (d: number) => (d * Math.PI) / 180;

/** Straight-line (great-circle) distance in metres (haversine). */
export function distanceM(a: LngLat, b: LngLat): number {
  const dLat = toRad(b.lat - a.lat);
  const dLng = toRad(b.lng - a.lng);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The point `meters` from `from` along `bearingRad` (radians clockwise from north), on the same
 * sphere as `distanceM`: circles on the map, CAP circles, simulated positions. Longitude wraps to
 * [-180, 180).
 */
export function destination(from: LngLat, meters: number, bearingRad: number): LngLat {
  const lat1 = toRad(from.lat);
  const lng1 = toRad(from.lng);
  const d = meters / EARTH_RADIUS_M;
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(bearingRad));
  const lng2 =
    lng1 +
    Math.atan2(
      Math.sin(bearingRad) * Math.sin(d) * Math.cos(lat1),
      Math.cos(d) - Math.sin(lat1) * Math.sin(lat2),
    );
  return { lng: (((lng2 * 180) / Math.PI + 540) % 360) - 180, lat: (lat2 * 180) / Math.PI };
}
