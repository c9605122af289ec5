import { z } from 'zod';
import { text } from './text.ts';
import { IsoTime } from './common.ts';
import { EVENT_TYPES, EventType, LiveEvent } from './protocol.ts';

/**
 * `GET /api/v1/audit` query: filters are ANDed; `type` takes one event type or several,
 * comma-separated; `before` is the seq cursor of the previous page's `nextBefore`.
 */
export const AuditQuery = z.object({
  actor: text.line(128).optional(),
  type: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s === '') return undefined;
      const types = s.split(',').map((t) => t.trim());
      const bad = types.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t));
      if (bad.length) {
        ctx.addIssue({ code: 'custom', message: `unknown event type ${bad.join(', ')}` });
        return z.NEVER;
      }
      return types as EventType[];
    }),
  from: IsoTime.optional(),
  to: IsoTime.optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditPage = z.object({
  events: z.array(LiveEvent),
  /** Pass as `before` for the next (older) page; null when the log has nothing older. */
  nextBefore: z.number().int().nullable(),
});
