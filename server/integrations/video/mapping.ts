import type { CameraLinks } from '../../../shared/camera-links.ts';
import type { VideoAlertType } from '../../../shared/video-alert.ts';
import { normalizeMac } from './hikvision.ts';
import type { VendorDevice, VendorEvent } from './vendor-event.ts';

/**
 * Vendor event types → our video-alert types, one table per vendor (the README shows them).
 * `null`: known, and not an alert (the device's own outputs, day/night switches); a type in no
 * table is not an alert either. Motion of any kind counts as `intrusion`: in a command centre's
 * camera network motion detection is armed where nobody should be (sites, river banks at night).
 */

/** Hikvision `eventType`, compared case-insensitively. */
export const HIKVISION_TYPES: Readonly<Record<string, VideoAlertType | null>> = {
  vmd: 'intrusion',
  fielddetection: 'intrusion',
  linedetection: 'intrusion',
  regionentrance: 'intrusion',
  regionexiting: 'intrusion',
  loitering: 'intrusion',
  pir: 'intrusion',
  group: 'crowd',
  persondensitydetection: 'crowd',
  firedetection: 'fire',
  smokedetection: 'smoke',
  unattendedbaggage: 'illegal_dumping',
  parking: 'road_occupation',
  illegalparking: 'road_occupation',
  io: 'other',
  shelteralarm: 'other',
  scenechangedetection: 'other',
  videoloss: null,
  heartbeat: null,
};

/** ONVIF topics after `normalizeTopic` (`tns1:` = the ONVIF topic namespace, `tnsaxis:` Axis's). */
export const ONVIF_TOPICS: Readonly<Record<string, VideoAlertType | null>> = {
  'tns1:RuleEngine/CellMotionDetector/Motion': 'intrusion',
  'tns1:VideoSource/MotionAlarm': 'intrusion',
  'tns1:RuleEngine/MotionRegionDetector/Motion': 'intrusion',
  'tns1:RuleEngine/FieldDetector/ObjectsInside': 'intrusion',
  'tns1:RuleEngine/LineDetector/Crossed': 'intrusion',
  'tns1:RuleEngine/tnsaxis:VMD': 'intrusion',
  'tns1:Device/tnsaxis:Sensor/PIR': 'intrusion',
  'tns1:RuleEngine/TamperDetector/Tamper': 'other',
  'tns1:VideoSource/GlobalSceneChange/ImagingService': 'other',
  'tns1:Device/Trigger/DigitalInput': 'other',
  'tns1:Device/Trigger/Relay': null,
  'tns1:VideoSource/tnsaxis:DayNightVision': null,
};
/** Topic families mapped by prefix (Axis's VMD4 profiles are one topic per profile). */
export const ONVIF_TOPIC_PREFIXES: ReadonlyArray<readonly [string, VideoAlertType]> = [
  ['tnsaxis:CameraApplicationPlatform/VMD/', 'intrusion'],
];

/** Frigate object and audio labels. */
export const FRIGATE_LABELS: Readonly<Record<string, VideoAlertType>> = {
  fire: 'fire',
  fire_alarm: 'fire',
  smoke: 'smoke',
  smoke_detector: 'smoke',
  person: 'intrusion',
  car: 'road_occupation',
  truck: 'road_occupation',
  bus: 'road_occupation',
  motorcycle: 'road_occupation',
  bicycle: 'road_occupation',
};

/** When several labels map (a Frigate review of fire and people), the gravest wins. */
const GRAVITY: readonly VideoAlertType[] = [
  'fire',
  'smoke',
  'crowd',
  'waterlogging',
  'intrusion',
  'road_occupation',
  'illegal_dumping',
  'other',
];

/** The video-alert type this event raises, or null when it raises none. */
export function alertTypeOf(event: VendorEvent): VideoAlertType | null {
  if (event.vendor === 'hikvision') return HIKVISION_TYPES[event.vendorType.toLowerCase()] ?? null;
  if (event.vendor === 'onvif') {
    const exact = ONVIF_TOPICS[event.vendorType];
    if (exact !== undefined) return exact;
    return ONVIF_TOPIC_PREFIXES.find(([p]) => event.vendorType.startsWith(p))?.[1] ?? null;
  }
  const types = (event.labels ?? [event.vendorType])
    .map((l) => FRIGATE_LABELS[l.toLowerCase()])
    .filter(Boolean);
  return GRAVITY.find((t) => types.includes(t)) ?? null;
}

export type LinkedCamera = { id: string; links?: CameraLinks | null };

const channel = (s: string | undefined) =>
  s === undefined ? undefined : /^\d+$/.test(s.trim()) ? String(Number(s)) : s;

/**
 * The camera a device's event belongs to, or null (the contract's `422 unknown_camera`). A link
 * matches when every field it names equals the device's (an empty Hikvision link names nothing
 * and matches nothing); the link naming most fields wins, and a tie between two cameras is
 * null: a wrong camera on the wall is worse than an unknown one.
 */
export function matchCamera(device: VendorDevice, cameras: readonly LinkedCamera[]): string | null {
  let best: string | null = null;
  let bestScore = 0;
  let tie = false;
  for (const camera of cameras) {
    const score = linkScore(device, camera.links ?? undefined);
    if (score === 0) continue;
    if (score > bestScore) {
      best = camera.id;
      bestScore = score;
      tie = false;
    } else if (score === bestScore && camera.id !== best) tie = true;
  }
  return tie ? null : best;
}

function linkScore(device: VendorDevice, links: CameraLinks | undefined): number {
  if (!links) return 0;
  if ('hikvision' in device) {
    const link = links.hikvision;
    if (!link) return 0;
    const pairs: Array<[string | undefined, string | undefined]> = [
      [link.macAddress && (normalizeMac(link.macAddress) ?? link.macAddress), device.hikvision.macAddress],
      [link.ipAddress, device.hikvision.ipAddress],
      [channel(link.channelID), channel(device.hikvision.channelID)],
    ];
    let score = 0;
    for (const [want, got] of pairs) {
      if (want === undefined) continue;
      if (want !== got) return 0;
      score++;
    }
    return score;
  }
  if ('onvif' in device) {
    const link = links.onvif;
    if (!link || link.producer !== device.onvif.producer) return 0;
    if (link.source === undefined) return 1;
    return link.source === device.onvif.source ? 2 : 0;
  }
  return links.frigate?.camera === device.frigate.camera ? 1 : 0;
}
