/**
 * An early warning (预警) as the consoles and `GET /api/v1/warnings` see it, made from CAP 1.2
 * messages (the contract's "Early warnings"). A warning is a thread: the first `Alert` makes it,
 * `Update`s replace its content and `Cancel` ends it; `sender`/`identifier`/`sent` are those of the
 * message now in force, `messages` every message of the thread in the order they came.
 */
import { z } from 'zod';
import { Id, IsoTime } from './common.ts';

export const WarningColour = z.enum(['blue', 'yellow', 'orange', 'red']);
export type WarningColour = z.infer<typeof WarningColour>;

/** CAP status → who sees it: every console (`live`), as a drill (`drill`), nobody (`stored`). */
export const WarningRouting = z.enum(['live', 'drill', 'stored']);
export type WarningRouting = z.infer<typeof WarningRouting>;

/** `active` until `expires`, a `Cancel`, or an `Update` that folds it into another thread. */
export const WarningState = z.enum(['active', 'cancelled', 'expired', 'superseded']);
export type WarningState = z.infer<typeof WarningState>;

const Position = z.tuple([z.number(), z.number()]);
const Ring = z.array(Position);
const Geometry = z.union([
  z.object({ type: z.literal('Polygon'), coordinates: z.array(Ring) }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(Ring)) }),
]);
/** A feature per CAP area (`areaDesc`); `null` geometry for an area given by geocodes only. */
export const WarningArea = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(
    z.object({
      type: z.literal('Feature'),
      geometry: Geometry.nullable(),
      properties: z.object({ areaDesc: z.string() }),
    }),
  ),
});
export type WarningArea = z.infer<typeof WarningArea>;

export const WarningMessage = z.object({
  sender: z.string(),
  identifier: z.string(),
  sent: z.string(),
  msgType: z.enum(['Alert', 'Update', 'Cancel']),
  /**
   * Who posted it: an integration's name (its key) or an operator's username. The first message's
   * is the thread's issuer: another integration may not Update or Cancel it (an operator may).
   * Absent on messages recorded before it was kept.
   */
  by: z.string().optional(),
});
export type WarningMessage = z.infer<typeof WarningMessage>;

export const Warning = z.object({
  id: Id,
  sender: z.string(),
  identifier: z.string(),
  /** CAP dateTime as sent (with the sender's offset). */
  sent: z.string(),
  status: z.enum(['Actual', 'Exercise', 'System', 'Test']),
  msgType: z.enum(['Alert', 'Update', 'Cancel']),
  routing: WarningRouting,
  state: WarningState,
  colour: WarningColour,
  /** The CAP severity the colour came from (Unknown → blue). */
  capSeverity: z.enum(['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown']),
  event: z.string(),
  headline: z.string(),
  description: z.string(),
  instruction: z.string().optional(),
  senderName: z.string().optional(),
  /** The info shown (Chinese when the message has one). */
  language: z.string().optional(),
  area: WarningArea,
  onset: IsoTime,
  expires: IsoTime,
  /** `expires` was not in the message: the configured default applied. */
  expiresDefaulted: z.boolean(),
  messages: z.array(WarningMessage).min(1),
  /** The thread this one was folded into (`superseded`). */
  supersededBy: Id.optional(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  version: z.number().int().min(1),
});
export type Warning = z.infer<typeof Warning>;
