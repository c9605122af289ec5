import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { KpiReport, KpiReportInput, KpiReportMeta } from '../../shared/kpi.ts';
import type { GridCollection } from '../../shared/grid.ts';
import type { KpiReportService } from './kpi-report.service.ts';
import { departments } from '../data/departments.ts';
import { requireUser, userOf } from '../identity/auth.plugin.ts';
import { TAGS } from '../infra/http/openapi.ts';
import { errors, IdParams, SESSION_ERRORS } from '../infra/http/answers.ts';
import { renderKpiReportCsv } from './kpi-report-csv.ts';
import { renderKpiReportHtml } from './kpi-report-html.ts';
import { REPORT_LANGS, ReportNames } from './kpi-report-locale.ts';

const tags = [TAGS.record];
const READ_ERRORS = errors(400, 404, ...SESSION_ERRORS);
const LangQuery = z.strictObject({ lang: z.enum(REPORT_LANGS).default('zh') });
const ListQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(500) });
/** File names are ASCII: the id is one (`KPR-daily-2026-11-30`); anything else becomes `_`. */
const fileName = (id: string, ext: string) => `${id.replace(/[^A-Za-z0-9._-]/g, '_')}.${ext}`;

/**
 * KPI reports (`/api/v1/reports`): the list, a custom window on demand, and each report as JSON,
 * printable HTML and CSV in Chinese or English. Reading needs `kpi_report.read`, making one
 * `kpi_report.create` (shared/identity.ts). The district's reports are not scoped: the scoped
 * roles have neither permission.
 */
export type KpiReportRouteServices = { kpiReports: KpiReportService; grids: GridCollection };

export default async function kpiReportRoutes(
  fastify: FastifyInstance,
  { kpiReports, grids }: KpiReportRouteServices,
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const read = requireUser('kpi_report.read');
  const district = grids.features.find((f) => f.properties.level === 'district')?.properties.name ?? '';
  const names = new ReportNames(departments(grids), district);

  app.get(
    '/api/v1/reports',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'KPI reports, newest first (daily, weekly, monthly by schedule; custom on demand)',
        querystring: ListQuery,
        response: { 200: z.array(KpiReportMeta), ...errors(400, ...SESSION_ERRORS) },
      },
    },
    async (req) => kpiReports.list(req.query.limit),
  );
  app.post(
    '/api/v1/reports',
    {
      preValidation: requireUser('kpi_report.create'),
      schema: {
        tags,
        summary: 'Make a report over a window of your choosing (the figures as of now)',
        body: KpiReportInput,
        response: { 201: KpiReport, ...errors(400, ...SESSION_ERRORS) },
      },
    },
    async (req, reply) => {
      const report = await kpiReports.custom(req.body, userOf(req).username);
      return reply.code(201).header('location', `/api/v1/reports/${report.id}`).send(report);
    },
  );
  app.get(
    '/api/v1/reports/:id',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'One report (JSON): the figures by street, department and category, and the total',
        params: IdParams,
        response: { 200: KpiReport, ...READ_ERRORS },
      },
    },
    async (req, reply) => {
      const report = await kpiReports.get(req.params.id);
      reply.header('content-disposition', `inline; filename="${fileName(report.id, 'json')}"`);
      return report;
    },
  );
  app.get(
    '/api/v1/reports/:id.html',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'One report, printable (A4), in Chinese or English',
        params: IdParams,
        querystring: LangQuery,
        response: {
          200: {
            description: 'a printable page that runs no script',
            content: { 'text/html': { schema: z.string() } },
          },
          ...READ_ERRORS,
        },
      },
    },
    async (req, reply) => {
      const report = await kpiReports.get(req.params.id);
      reply
        .type('text/html; charset=utf-8')
        // A report page runs no script at all, whatever its names hold.
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .header('content-disposition', `inline; filename="${fileName(report.id, 'html')}"`);
      return renderKpiReportHtml(report, req.query.lang, names);
    },
  );
  app.get(
    '/api/v1/reports/:id.csv',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'One report as CSV (UTF-8 with a byte order mark, for Excel), in Chinese or English',
        params: IdParams,
        querystring: LangQuery,
        response: {
          200: { description: 'CSV, UTF-8 with BOM', content: { 'text/csv': { schema: z.string() } } },
          ...READ_ERRORS,
        },
      },
    },
    async (req, reply) => {
      const report = await kpiReports.get(req.params.id);
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${fileName(report.id, 'csv')}"`);
      return renderKpiReportCsv(report, req.query.lang, names);
    },
  );
}
