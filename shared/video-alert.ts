import { z } from 'zod';
import { text } from './text.ts';
import { Id, IsoTime, LngLat } from './common.ts';

export const VIDEO_ALERT_TYPES = [
  'fire',
  'smoke',
  'crowd',
  'intrusion',
  'illegal_dumping',
  'road_occupation',
  'waterlogging',
  'other',
] as const;
export const VideoAlertType = z.enum(VIDEO_ALERT_TYPES);
export type VideoAlertType = z.infer<typeof VideoAlertType>;

export const VideoAlertIntake = z.strictObject({
  cameraId: Id,
  type: VideoAlertType,
  confidence: z.number().min(0).max(1),
  observedAt: IsoTime.optional(),
  /** Which hosts may be named is configuration (SNAPSHOT_HOSTS): the intake service checks that. */
  snapshotUrl: text
    .id(2000)
    .pipe(z.url({ protocol: /^https?$/ }))
    .optional(),
  externalId: text.line(128).optional(),
});
export type VideoAlertIntake = z.infer<typeof VideoAlertIntake>;

export const VideoAlertStatus = z.enum(['new', 'confirmed', 'dismissed']);

export const VideoAlert = z.object({
  id: Id,
  cameraId: Id,
  cameraName: text.stored(),
  type: VideoAlertType,
  confidence: z.number(),
  location: LngLat,
  locationLabel: z.string(),
  streetId: z.string().nullable(),
  communityId: z.string().nullable(),
  observedAt: IsoTime,
  createdAt: IsoTime,
  updatedAt: IsoTime,
  snapshotUrl: text.stored().optional(),
  externalId: text.stored().optional(),
  status: VideoAlertStatus,
  /** The open incident this alert was linked to by correlation, if any. */
  incidentId: Id.nullable(),
  actor: text.stored().optional(),
  version: z.number().int().min(1),
});
export type VideoAlert = z.infer<typeof VideoAlert>;

/** Which incident categories a video alert type corroborates. */
export const ALERT_MATCHES: Record<VideoAlertType, readonly string[]> = {
  fire: ['fire', 'hazmat', 'gas_leak'],
  smoke: ['fire', 'hazmat', 'gas_leak', 'environment'],
  crowd: ['crowd', 'public_order'],
  intrusion: ['public_order'],
  illegal_dumping: ['environment'],
  road_occupation: ['traffic', 'infrastructure'],
  waterlogging: ['flood', 'infrastructure'],
  other: [],
};
