/**
 * Peacetime case handling (平时, the "Peacetime" issue): the district's responsible departments
 * and the case-rules document (`GET/PUT /api/v1/case-rules`): routing 分拣转办, time limits per
 * category and step, the working calendar and the weights of the composite score.
 */
import { z } from 'zod';
import { Id } from './common.ts';
import { IncidentCategory } from './category.ts';
import { text } from './text.ts';

export const DepartmentKind = z.enum([
  /** 城市管理委员会: municipal facilities, sanitation, gas and heat */
  'city_management',
  /** 城市管理综合行政执法局 */
  'law_enforcement',
  /** 园林绿化局 */
  'landscaping',
  /** 水务局 */
  'water',
  /** 公安交通管理局海淀交通支队 */
  'traffic',
  /** 住房和城乡建设委员会 */
  'housing',
  /** 市场监督管理局 */
  'market_regulation',
  /** 生态环境局 */
  'environment',
  /** 公安分局 */
  'police',
  /** 应急管理局 */
  'emergency_management',
  /** 街道办事处 / 镇人民政府 */
  'street_office',
]);
export type DepartmentKind = z.infer<typeof DepartmentKind>;

export const Department = z.object({
  id: Id,
  name: z.string(),
  nameEn: z.string(),
  kind: DepartmentKind,
  /** A street office's own street (kind `street_office`). */
  streetId: z.string().optional(),
});
export type Department = z.infer<typeof Department>;

/** The steps of a case, each with a deadline; each starts when the one before it finishes. */
export const CASE_STEPS = ['verify', 'dispatch', 'handle', 'inspect', 'close'] as const;
export const CaseStep = z.enum(CASE_STEPS);
export type CaseStep = z.infer<typeof CaseStep>;

/** Calendar time, or time on the working calendar (Asia/Shanghai). */
export const LimitUnit = z.enum(['minutes', 'hours', 'days', 'work_hours', 'work_days']);
export type LimitUnit = z.infer<typeof LimitUnit>;

/** A calendar date, `YYYY-MM-DD`, that exists. */
export const CalendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'a date is YYYY-MM-DD' })
  .refine((d) => new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), { error: 'no such date' });

/** A time of day, `HH:MM` (00:00–24:00). */
export const ClockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, { error: 'a time of day is HH:MM, 00:00 to 24:00' });

export const minutesOfDay = (t: string): number => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

export const WorkPeriod = z
  .strictObject({ start: ClockTime, end: ClockTime })
  .refine((p) => minutesOfDay(p.start) < minutesOfDay(p.end), {
    error: 'a working period ends after it starts',
    path: ['end'],
  });

/** Longest limit a rule may set, in each unit (a year), so a typo cannot make a case never due. */
export const MAX_LIMIT: Record<LimitUnit, number> = {
  minutes: 525_600,
  hours: 8_760,
  days: 365,
  work_hours: 2_000,
  work_days: 250,
};

export const Limit = z
  .strictObject({
    category: IncidentCategory,
    step: CaseStep,
    amount: z.number().positive({ error: 'a time limit is more than 0' }),
    unit: LimitUnit,
  })
  .refine((l) => l.amount <= MAX_LIMIT[l.unit], {
    error: 'a time limit is at most a year',
    path: ['amount'],
  });
export type Limit = z.infer<typeof Limit>;

export const RoutingRule = z.strictObject({
  category: IncidentCategory,
  /** Only cases in this street; without it the rule is the category's district-wide default. */
  streetId: Id.optional(),
  departmentId: Id,
});
export type RoutingRule = z.infer<typeof RoutingRule>;

export const WorkCalendar = z
  .strictObject({
    /** ISO weekdays that are working days (1 = Monday … 7 = Sunday). */
    workdays: z.array(z.number().int().min(1).max(7)).max(7),
    /** Working periods of a working day, in order, not overlapping (Asia/Shanghai). */
    workHours: z.array(WorkPeriod).min(1, { error: 'a working day has at least one working period' }).max(6),
    /**
     * Days off besides the weekend, on top of the official calendar built in (China's public
     * holidays as published by the State Council; `server/cases/official-calendar.ts`).
     */
    holidays: z.array(CalendarDate).max(400),
    /** Make-up workdays (调休) on a weekend, on top of the official calendar. */
    extraWorkdays: z.array(CalendarDate).max(400),
  })
  .superRefine((c, ctx) => {
    for (let i = 1; i < c.workHours.length; i++)
      if (minutesOfDay(c.workHours[i].start) < minutesOfDay(c.workHours[i - 1].end))
        ctx.addIssue({
          code: 'custom',
          path: ['workHours', i, 'start'],
          message: 'working periods are in order and do not overlap',
        });
    if (new Set(c.workdays).size !== c.workdays.length)
      ctx.addIssue({ code: 'custom', path: ['workdays'], message: 'a weekday is listed twice' });
    if (c.workdays.length === 0 && c.extraWorkdays.length === 0)
      ctx.addIssue({ code: 'custom', path: ['workdays'], message: 'a calendar needs working days' });
    const both = c.holidays.filter((d) => c.extraWorkdays.includes(d));
    if (both.length)
      ctx.addIssue({
        code: 'custom',
        path: ['extraWorkdays'],
        message: `a day cannot be both a holiday and a workday: ${both.join(', ')}`,
      });
  });
export type WorkCalendar = z.infer<typeof WorkCalendar>;

export const ScoreWeights = z
  .strictObject({
    timeliness: z.number().min(0).max(100),
    closure: z.number().min(0).max(100),
    rework: z.number().min(0).max(100),
  })
  .refine((w) => w.timeliness + w.closure + w.rework > 0, { error: 'at least one weight is above 0' });
export type ScoreWeights = z.infer<typeof ScoreWeights>;

/** The body of `PUT /api/v1/case-rules`: the whole document, and the version it was edited from. */
export const CaseRulesInput = z
  .strictObject({
    /** The version the admin edited; a newer one on the server means someone else saved first (409). */
    version: z.number().int().min(1).optional(),
    routing: z.array(RoutingRule).max(2_000),
    limits: z.array(Limit).max(2_000),
    calendar: WorkCalendar,
    weights: ScoreWeights,
    /** Why it changed, for the record. */
    note: text.line(500).optional(),
  })
  .superRefine((r, ctx) => {
    const seen = new Map<string, number>();
    r.routing.forEach((rule, i) => {
      const k = `${rule.category}|${rule.streetId ?? ''}`;
      if (seen.has(k))
        ctx.addIssue({
          code: 'custom',
          path: ['routing', i],
          message: `a second rule for ${rule.category}${rule.streetId ? ` in ${rule.streetId}` : ''} (first at routing.${seen.get(k)})`,
        });
      else seen.set(k, i);
    });
    const limits = new Map<string, number>();
    r.limits.forEach((l, i) => {
      const k = `${l.category}|${l.step}`;
      if (limits.has(k))
        ctx.addIssue({
          code: 'custom',
          path: ['limits', i],
          message: `a second limit for ${l.category} / ${l.step} (first at limits.${limits.get(k)})`,
        });
      else limits.set(k, i);
    });
  });
export type CaseRulesInput = z.infer<typeof CaseRulesInput>;

/** The rules document as stored and answered: every change a new version, kept for good. */
export const CaseRules = z.object({
  version: z.number().int().min(1),
  routing: z.array(RoutingRule),
  limits: z.array(Limit),
  calendar: WorkCalendar,
  weights: ScoreWeights,
  updatedAt: z.string(),
  updatedBy: z.string(),
  note: z.string().optional(),
});
export type CaseRules = z.infer<typeof CaseRules>;
