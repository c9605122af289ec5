import { z } from 'zod';
import { Id, IsoTime } from './common.ts';
import { INCIDENT_CATEGORIES, Incident, IncidentStatus } from './incident.ts';
import { text } from './text.ts';

/** Most cases one page may hold, and how many a page holds when the caller does not say. */
export const CASE_SEARCH_MAX_LIMIT = 200;
export const CASE_SEARCH_DEFAULT_LIMIT = 50;
/** Longest search term, in code points (as people count characters). */
export const CASE_SEARCH_MAX_Q = 100;

/**
 * One value or several of `values`: comma-separated (`status=accepted,closed`) or repeated
 * (`status=accepted&status=closed`, which the query parser hands over as an array). An empty
 * parameter means "no filter", as `type` does in `GET /api/v1/audit`.
 */
function oneOrMore<T extends string>(values: readonly T[], what: string) {
  return z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const items = (Array.isArray(v) ? v : [v])
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (!items.length) return undefined;
      const bad = items.filter((s) => !(values as readonly string[]).includes(s));
      if (bad.length) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown ${what} ${bad.map((b) => JSON.stringify(b)).join(', ')} (one of ${values.join(', ')})`,
        });
        return z.NEVER;
      }
      return [...new Set(items)] as T[];
    });
}

/**
 * `GET /api/v1/cases` query: filters ANDed, newest first. `from` is inclusive and `to` exclusive,
 * both on the case's `createdAt`. `cursor` is the previous page's `nextCursor`, opaque to clients
 * (the server checks it further and answers 400 naming `cursor` when it did not give it out).
 * Unknown parameters are refused, not ignored: a misspelt filter must not widen a search silently.
 */
export const CaseSearchQuery = z
  .strictObject({
    status: oneOrMore(IncidentStatus.options, 'status'),
    category: oneOrMore(INCIDENT_CATEGORIES, 'category'),
    streetId: Id.optional(),
    /** Peacetime cases (not yet built): matches a case's `departmentId` when it has one. */
    departmentId: Id.optional(),
    /** Peacetime deadlines (not yet built): `true` matches a case with a step past due. */
    overdue: z
      .enum(['true', 'false'], { message: 'must be true or false' })
      .transform((v) => v === 'true')
      .optional(),
    from: IsoTime.optional(),
    to: IsoTime.optional(),
    /** Substring of the title, address or description, any script; the shared text rules. */
    q: text.line(CASE_SEARCH_MAX_Q).optional(),
    cursor: z
      .string()
      .max(512, 'is not a cursor this server gave out')
      .regex(/^[A-Za-z0-9_-]+$/, 'is not a cursor this server gave out')
      .optional(),
    limit: z.coerce
      .number({ message: `must be a whole number from 1 to ${CASE_SEARCH_MAX_LIMIT}` })
      .int(`must be a whole number from 1 to ${CASE_SEARCH_MAX_LIMIT}`)
      .min(1, `must be a whole number from 1 to ${CASE_SEARCH_MAX_LIMIT}`)
      .max(CASE_SEARCH_MAX_LIMIT, `must be a whole number from 1 to ${CASE_SEARCH_MAX_LIMIT}`)
      .default(CASE_SEARCH_DEFAULT_LIMIT),
  })
  .superRefine((v, ctx) => {
    if (v.from && v.to && Date.parse(v.from) >= Date.parse(v.to))
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than from' });
  });
export type CaseSearchQuery = z.infer<typeof CaseSearchQuery>;
/** What a client may send: the parsed query's own shape (lists as arrays; the client joins them). */
export type CaseSearchParams = Partial<CaseSearchQuery>;

/** `GET /api/v1/cases` answer. */
export const CaseSearchPage = z.object({
  items: z.array(Incident),
  /** Pass as `cursor` for the next (older) page; null when nothing older matches. */
  nextCursor: z.string().nullable(),
});
export type CaseSearchPage = z.infer<typeof CaseSearchPage>;
