import { z } from 'zod';
import { text } from './text.ts';
import { Id, IsoTime, LngLat } from './common.ts';
import { CameraLinks } from './camera-links.ts';

export const Camera = z.object({
  id: Id,
  name: text.line(200),
  location: LngLat,
  streetId: z.string().nullable(),
  communityId: z.string().nullable(),
  kind: z.enum(['road', 'community', 'public_space', 'river', 'market']),
});
export type Camera = z.infer<typeof Camera>;

/**
 * Whether a camera is reporting: `online` after a heartbeat or an event, `offline` after a
 * device's own "video lost"/inactive heartbeat or after silence; `unknown` until it is first heard.
 */
export const CameraStatus = z.enum(['online', 'offline', 'unknown']);
export type CameraStatus = z.infer<typeof CameraStatus>;

/**
 * A camera as the hot state holds it and `camera.updated` carries it: the register's camera with
 * its device links (edited by the admin) and whether it is reporting.
 */
export const CameraState = Camera.extend({
  links: CameraLinks,
  status: CameraStatus,
  /** When the camera was last heard from (an event or a heartbeat); null until then. */
  lastSeenAt: IsoTime.nullable(),
});
export type CameraState = z.infer<typeof CameraState>;

/**
 * A camera as a scoped console (a street sub-centre, a department) sees it: where it stands and
 * whether it reports, without its device links (addresses inside the centre's video network are
 * the centre's to know, not every street office's).
 */
export const withoutLinks = (c: CameraState): CameraState => ({ ...c, links: {} });
