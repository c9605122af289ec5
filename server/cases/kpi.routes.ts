import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { KpiAnswer, KpiQuery } from '../../shared/kpi.ts';
import type { Container } from '../container.ts';
import { requireUser, userOf } from '../plugins/auth.ts';
import { TAGS } from '../plugins/openapi.ts';
import { errors, SESSION_ERRORS } from '../routes/answers.ts';

/**
 * `GET /api/v1/kpis?from=&to=&groupBy=` [operators; scoped roles their own rows]: the peacetime
 * figures of the cases accepted in `[from, to)` (the contract's definitions).
 */
export default async function kpiRoutes(fastify: FastifyInstance, { c }: { c: Container }) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/v1/kpis',
    {
      // Auth before validation: without a session the answer is 401 whatever the parameters.
      preValidation: requireUser('kpi.read'),
      schema: {
        tags: [TAGS.record],
        summary: 'KPIs of the cases accepted in [from, to), by street, department, category or day',
        description:
          'Counts per the contract (each a count of cases, `reworks` of failed inspections), ' +
          'rates 及时率/结案率/按期结案率/返工率 and the score 综合指标值 with the weights of the case ' +
          'rules in force (a zero denominator gives null). `total` is all rows together. Rows are ' +
          'the groups that have cases; key `none` holds the cases outside every street (street) or ' +
          'not yet dispatched (department). Days are `YYYY-MM-DD` in Asia/Shanghai. A subcentre ' +
          "sees its street's cases only, a department the cases dispatched to it. Figures are as " +
          'of the projection: the history database is at most the projection lag behind the log ' +
          '(`GET /api/v1/status`); `overdueOpen` is counted at the moment of the request.',
        querystring: KpiQuery,
        response: { 200: KpiAnswer, ...errors(400, ...SESSION_ERRORS) },
      },
    },
    async (req) => c.kpis.kpis(req.query, userOf(req)),
  );
}
