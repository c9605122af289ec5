/**
 * Footage retrieval for the police (调取录像), the contract's "Integrations": the duty officer
 * records a request, the commander approves or denies it, the duty officer completes it with the
 * hours of video delivered. Every step is one commit and one event (`footage_request.*`).
 */
import { z } from 'zod';
import { Id, IsoTime } from './common.ts';
import { text } from './text.ts';

/** A period runs forwards; a time that does not parse is its own field's problem, not this one's. */
function fromBeforeTo(p: { from: string; to: string }): boolean {
  const a = Date.parse(p.from);
  const b = Date.parse(p.to);
  return !Number.isFinite(a) || !Number.isFinite(b) || a < b;
}

export const FootageStatus = z.enum(['requested', 'approved', 'denied', 'completed']);
export type FootageStatus = z.infer<typeof FootageStatus>;

/** `POST /api/v1/footage-requests` [duty]. */
export const FootageRequestInput = z
  .strictObject({
    cameraIds: z.array(Id).min(1).max(200),
    from: IsoTime,
    to: IsoTime,
    /** Who asked for it: the police unit and officer, as they gave it. */
    requester: text.line(200),
    /** The police case (or incident) reference the footage is for. */
    caseRef: text.line(200),
    reason: text.requiredMultiline(2000),
  })
  .refine(fromBeforeTo, { path: ['to'], message: 'to must be after from' });
export type FootageRequestInput = z.infer<typeof FootageRequestInput>;

/** `POST …/:id/approve` and `…/deny` [commander]: an optional note (a denial's reason). */
export const FootageDecisionInput = z.strictObject({ note: text.multiline(2000).optional() });
export type FootageDecisionInput = z.infer<typeof FootageDecisionInput>;

/** `POST …/:id/complete` [duty]: the hours of video delivered. */
export const FootageCompleteInput = z.strictObject({ hours: z.number().min(0).max(100_000) });
export type FootageCompleteInput = z.infer<typeof FootageCompleteInput>;

export const FootageRequest = z.object({
  id: Id,
  cameraIds: z.array(Id),
  from: IsoTime,
  to: IsoTime,
  requester: text.stored(),
  caseRef: text.stored(),
  reason: text.stored(),
  status: FootageStatus,
  requestedBy: text.stored(),
  requestedAt: IsoTime,
  decidedBy: text.stored().optional(),
  decidedAt: IsoTime.optional(),
  decisionNote: text.stored().optional(),
  completedBy: text.stored().optional(),
  completedAt: IsoTime.optional(),
  /** Hours of video delivered (on completion). */
  hours: z.number().optional(),
  /** Bumped by every change (the commit's optimistic check). */
  version: z.number().int(),
});
export type FootageRequest = z.infer<typeof FootageRequest>;

/** `GET /api/v1/footage-requests?from=&to=`: requests made in [from, to) (default: the last 30 days). */
export const FootageListQuery = z
  .strictObject({ from: IsoTime.optional(), to: IsoTime.optional() })
  .refine((q) => !q.from || !q.to || fromBeforeTo({ from: q.from, to: q.to }), {
    path: ['to'],
    message: 'to must be after from',
  });
export type FootageListQuery = z.infer<typeof FootageListQuery>;

/** The totals of a period: how many requests were made, the hours delivered, the count per status. */
export const FootageTotals = z.object({
  count: z.number().int(),
  hours: z.number(),
  byStatus: z.record(FootageStatus, z.number().int()),
});
export type FootageTotals = z.infer<typeof FootageTotals>;

export const FootageList = z.object({
  from: IsoTime,
  to: IsoTime,
  /** Newest first. */
  items: z.array(FootageRequest),
  totals: FootageTotals,
});
export type FootageList = z.infer<typeof FootageList>;

/**
 * The totals of some requests (the server's list and the console's live view count alike): every
 * request, the hours of the completed ones summed in hundredths (the seed's year is 3,218.53 h;
 * floats must not drift), and the count per status.
 */
export function footageTotals(items: readonly FootageRequest[]): FootageTotals {
  const byStatus: FootageTotals['byStatus'] = { requested: 0, approved: 0, denied: 0, completed: 0 };
  let cents = 0;
  for (const r of items) {
    byStatus[r.status]++;
    if (r.status === 'completed' && r.hours !== undefined) cents += Math.round(r.hours * 100);
  }
  return { count: items.length, hours: cents / 100, byStatus };
}
