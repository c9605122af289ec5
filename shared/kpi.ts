/**
 * The peacetime figures (`GET /api/v1/kpis`) and the reports made of them (`/api/v1/reports`),
 * per the contract's "Peacetime case handling": the definitions live in
 * `server/cases/kpi-definitions.ts`, the reference the API is tested against.
 */
import { z } from 'zod';
import { ScoreWeights } from './case-rules.ts';
import { Id, IsoTime } from './common.ts';

export const KpiGroupBy = z.enum(['street', 'department', 'category', 'day']);
export type KpiGroupBy = z.infer<typeof KpiGroupBy>;

/** `GET /api/v1/kpis?from=&to=&groupBy=`: the cases accepted in `[from, to)`. */
export const KpiQuery = z
  .strictObject({
    from: IsoTime,
    to: IsoTime,
    groupBy: KpiGroupBy.default('street'),
  })
  .refine((q) => Date.parse(q.from) < Date.parse(q.to), { error: 'from is before to', path: ['to'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 3 * 366 * 86_400_000, {
    error: 'a window is at most three years',
    path: ['to'],
  });
export type KpiQuery = z.infer<typeof KpiQuery>;

const rate = z.number().min(0).max(1).nullable();

export const KpiRow = z.object({
  /** The street id, department id, category, or the day (`YYYY-MM-DD`, Asia/Shanghai). */
  key: z.string(),
  /** Its name as the district writes it (the category's or the day's own form for those). */
  name: z.string(),
  accepted: z.number().int().min(0),
  voided: z.number().int().min(0),
  dispatched: z.number().int().min(0),
  handled: z.number().int().min(0),
  handledOnTime: z.number().int().min(0),
  reworks: z.number().int().min(0),
  extended: z.number().int().min(0),
  deferred: z.number().int().min(0),
  closed: z.number().int().min(0),
  closedOnTime: z.number().int().min(0),
  overdueOpen: z.number().int().min(0),
  /** 及时率 = handledOnTime ÷ handled */
  timelinessRate: rate,
  /** 结案率 = closed ÷ (accepted − voided) */
  closureRate: rate,
  /** 按期结案率 = closedOnTime ÷ closed */
  onTimeClosureRate: rate,
  /** 返工率 = reworks ÷ handled (may exceed 1 when cases are reworked more than once) */
  reworkRate: z.number().min(0).nullable(),
  /** 综合指标值, 0–100 with the weights shown in the answer. */
  score: z.number().nullable(),
});
export type KpiRow = z.infer<typeof KpiRow>;

export const KpiAnswer = z.object({
  from: IsoTime,
  to: IsoTime,
  groupBy: KpiGroupBy,
  /** The weights of `score` (from the case rules now in force), shown beside it. */
  weights: ScoreWeights,
  rows: z.array(KpiRow),
  /** All rows together (the district, or the scoped user's own scope). */
  total: KpiRow,
});
export type KpiAnswer = z.infer<typeof KpiAnswer>;

export const KpiReportKind = z.enum(['daily', 'weekly', 'monthly', 'custom']);
export type KpiReportKind = z.infer<typeof KpiReportKind>;

/** `GET /api/v1/reports`: one entry per report. */
export const KpiReportMeta = z.object({
  id: Id,
  kind: KpiReportKind,
  from: IsoTime,
  to: IsoTime,
  createdAt: IsoTime,
});
export type KpiReportMeta = z.infer<typeof KpiReportMeta>;

/** `POST /api/v1/reports`: a report over a window of the operator's choosing. */
export const KpiReportInput = z
  .strictObject({ kind: z.literal('custom'), from: IsoTime, to: IsoTime })
  .refine((q) => Date.parse(q.from) < Date.parse(q.to), { error: 'from is before to', path: ['to'] });
export type KpiReportInput = z.infer<typeof KpiReportInput>;

/** `GET /api/v1/reports/:id`: the figures by street, department and category, as of `createdAt`. */
export const KpiReport = KpiReportMeta.extend({
  weights: ScoreWeights,
  total: KpiRow,
  byStreet: z.array(KpiRow),
  byDepartment: z.array(KpiRow),
  byCategory: z.array(KpiRow),
  createdBy: z.string(),
  /**
   * Footage retrieved for the police (调取录像) over the window: requests made in it and the hours
   * of video delivered for them. Absent from reports made before it was counted.
   */
  footage: z.object({ count: z.number().int(), hours: z.number() }).optional(),
});
export type KpiReport = z.infer<typeof KpiReport>;
