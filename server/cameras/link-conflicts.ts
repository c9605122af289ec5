import type { CameraLinks } from '../../shared/camera-links.ts';
import { normalizeMac } from '../integrations/video/hikvision.ts';

type Issue = { path: string; message: string };

const channel = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? String(Number(s)) : s);

/** A link as it is compared with a device's (MACs normalized, channels as numbers); null: names nothing. */
function keyOf(vendor: keyof CameraLinks, links: CameraLinks): string | null {
  if (vendor === 'hikvision') {
    const h = links.hikvision;
    if (!h || (h.ipAddress === undefined && h.macAddress === undefined && h.channelID === undefined))
      return null;
    const mac = h.macAddress === undefined ? null : (normalizeMac(h.macAddress) ?? h.macAddress);
    return JSON.stringify([h.ipAddress ?? null, mac, channel(h.channelID) ?? null]);
  }
  if (vendor === 'onvif') {
    const o = links.onvif;
    return o ? JSON.stringify([o.producer, o.source ?? null]) : null;
  }
  return links.frigate ? links.frigate.camera : null;
}

/**
 * Which of `links` is already another camera's exact link (the same device, channel or source):
 * one device on two cameras would put its alarms on whichever the matcher picks. A broader and a
 * narrower link (an NVR's address, and the same address with a channel) may coexist: the
 * narrower one wins when it matches.
 */
export function linkConflicts(
  links: CameraLinks,
  others: readonly { id: string; links: CameraLinks }[],
): Issue[] {
  const issues: Issue[] = [];
  for (const vendor of ['hikvision', 'onvif', 'frigate'] as const) {
    const mine = keyOf(vendor, links);
    if (mine === null) continue;
    const other = others.find((o) => keyOf(vendor, o.links) === mine);
    if (other) issues.push({ path: `links.${vendor}`, message: `already linked to camera ${other.id}` });
  }
  return issues;
}
