import { z } from 'zod';
import { text } from './text.ts';

/**
 * How a camera is known to the video platforms that report on it (contract, "Integrations":
 * `PATCH /api/v1/cameras/:id {links}`). Each value is compared with what the device sends, so
 * they are identifiers: never trimmed, one line, visible (`text.id`).
 */
export const HikvisionLink = z.strictObject({
  ipAddress: text.id(64).optional(),
  macAddress: text.id(64).optional(),
  /** As the device sends it (an NVR's `dynChannelID` when it sends one, else `channelID`). */
  channelID: text.id(16).optional(),
});
export type HikvisionLink = z.infer<typeof HikvisionLink>;

export const OnvifLink = z.strictObject({
  /** The message's `wsnt:ProducerReference/wsa:Address`. */
  producer: text.id(1000),
  /** A source SimpleItem's value (a VideoSourceConfigurationToken, say); absent = any source. */
  source: text.id(200).optional(),
});
export type OnvifLink = z.infer<typeof OnvifLink>;

export const FrigateLink = z.strictObject({ camera: text.id(200) });
export type FrigateLink = z.infer<typeof FrigateLink>;

export const CameraLinks = z.strictObject({
  hikvision: HikvisionLink.optional(),
  onvif: OnvifLink.optional(),
  frigate: FrigateLink.optional(),
});
export type CameraLinks = z.infer<typeof CameraLinks>;

/** The body of `PATCH /api/v1/cameras/:id`: the camera's links, replacing the ones it had (a vendor left out is unlinked). */
export const CameraLinksPatch = z.strictObject({ links: CameraLinks });
export type CameraLinksPatch = z.infer<typeof CameraLinksPatch>;
