import { textProblems } from '../../../shared/text.ts';
import type { FrigateLink, HikvisionLink, OnvifLink } from '../../../shared/camera-links.ts';

/** What every video-platform parser yields: one shape whatever the vendor. */

export type Vendor = 'hikvision' | 'onvif' | 'frigate';

export type VendorDevice = { hikvision: HikvisionLink } | { onvif: OnvifLink } | { frigate: FrigateLink };

export type Snapshot = { bytes: Uint8Array; mime: string };

export type VendorEvent = {
  vendor: Vendor;
  device: VendorDevice;
  /** `alarm` may raise an alert; `heartbeat` only says the camera lives; `state` states a value (ONVIF `Initialized`). */
  kind: 'alarm' | 'heartbeat' | 'state';
  /** The vendor's own name for it: Hikvision `eventType`, an ONVIF topic, a Frigate label or review severity. */
  vendorType: string;
  active: boolean;
  /** The vendor's id for this event (Frigate's tracked object or review id), for debouncing. */
  eventId?: string;
  /** ISO 8601 with offset. */
  observedAt: string;
  confidence?: number;
  snapshot?: Snapshot;
  /** Object labels (Frigate: the event's label, a review's `data.objects`). */
  labels?: string[];
};

export type Problem = { path: string; message: string };

export type ParseResult =
  /** `notes`: what was left out without refusing the message (a broken snapshot beside a fire alarm). */
  { ok: true; events: VendorEvent[]; notes?: Problem[] } | { ok: false; problems: Problem[] };

export type ParseOptions = {
  /** When the message arrived (ms): the time of an event that carries none. */
  receivedAt: number;
  /** The offset (minutes east of UTC) of a device time written without one: DVRs often omit it. */
  defaultOffsetMinutes?: number;
};

/** China Standard Time, where the cameras this serves stand. */
export const DEFAULT_OFFSET_MINUTES = 480;

/** Problems of a vendor's text value under our text rules, at `path`. */
export function textIssues(value: string, max: number, path: string): Problem[] {
  return textProblems(value, { max, visible: true }).map((message) => ({ path, message }));
}

const DEVICE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{1,2}(?::?\d{2})?)?$/i;

/**
 * A device's dateTime → instant (ms), or a message. Accepted as devices write them: with or
 * without seconds and fractions, `Z`, `+08:00`, `+0800`, `-8:00` (a one-digit hour, as seen from
 * Hikvision firmware), or no offset at all (then `defaultOffsetMinutes`).
 */
export function deviceTimeMs(
  s: string,
  defaultOffsetMinutes: number,
): { ok: true; ms: number } | { ok: false; message: string } {
  const m = DEVICE_TIME.exec(s.trim());
  if (!m) return { ok: false, message: `not a date and time: "${s.slice(0, 40)}"` };
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const Y = +y,
    M = +mo,
    D = +d,
    H = +h,
    MI = +mi,
    S = sec ? +sec : 0;
  const days = new Date(Date.UTC(Y, M, 0)).getUTCDate();
  if (M < 1 || M > 12 || D < 1 || D > days || H > 23 || MI > 59 || S > 60)
    return { ok: false, message: `not a real date and time: "${s.slice(0, 40)}"` };
  let offset = defaultOffsetMinutes;
  if (zone && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(zone)!;
    const oh = +z[2],
      om = z[3] ? +z[3] : 0;
    if (oh > 14 || om > 59) return { ok: false, message: `not a time zone offset: "${zone}"` };
    offset = (z[1] === '-' ? -1 : 1) * (oh * 60 + om);
  } else if (zone) offset = 0;
  const ms = Date.UTC(Y, M - 1, D, H, MI, Math.min(S, 59), frac ? Math.floor(+`0.${frac}` * 1000) : 0);
  return { ok: true, ms: ms - offset * 60_000 };
}

export const iso = (ms: number) => new Date(ms).toISOString();

/** Bytes of a string or byte input, for size limits before any parsing. */
export function byteSize(input: string | Uint8Array): number {
  return typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
}
