import type { CameraLinks } from '../../shared/camera-links.ts';

/**
 * Device links a few demo cameras start with (demo mode only, at their first seed), so that the
 * published payloads in `server/integrations/video/fixtures/` find a camera as they are: the
 * README's curl examples and the integration tests post them unchanged. A production deployment
 * starts with no links; the admin sets them (`PATCH /api/v1/cameras/:id`).
 */
export const DEMO_CAMERA_LINKS: ReadonlyMap<string, CameraLinks> = new Map<string, CameraLinks>([
  // moonfire-videoloss-heartbeat.xml: a camera's idle heartbeat.
  ['CAM-0001', { hikvision: { ipAddress: '192.168.5.106', channelID: '1' } }],
  // hikvision-next-fielddetection_human.xml (by MAC: its ipAddress is a placeholder).
  ['CAM-0002', { hikvision: { macAddress: 'ac:b9:2f:49:44:75', channelID: '1' } }],
  // moonfire-vmd-std-cgi.xml: motion detection.
  ['CAM-0003', { hikvision: { ipAddress: '172.6.64.7', channelID: '1' } }],
  // The Axis camera of axis-pir-*.xml and axis-vmd4-*.xml (ONVIF).
  ['CAM-0004', { onvif: { producer: 'uri://94fbe18e-0af8-40d2-8539-67b6ea550c6e/ProducerReference' } }],
  // Frigate's documented messages: `events` on front_door, `reviews` on front_cam.
  ['CAM-0005', { frigate: { camera: 'front_door' } }],
  ['CAM-0006', { frigate: { camera: 'front_cam' } }],
]);
