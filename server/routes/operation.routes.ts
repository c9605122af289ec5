import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isScoped } from '../../shared/common.ts';
import { AfterActionRecord } from '../../shared/after-action.ts';
import { FieldReport } from '../../shared/incident.ts';
import { Operation } from '../../shared/operation.ts';
import { RankedPlan } from '../../shared/plan.ts';
import type { Container } from '../container.ts';
import { canSee } from '../identity/scope.ts';
import { requireAnyUser, requireUser, userOf } from '../plugins/auth.ts';
import { notFound } from '../services/errors.ts';
import { TAGS } from '../plugins/openapi.ts';
import { renderAfterActionHtml } from '../services/after-action-html.ts';
import { errors, IdParams, SESSION_ERRORS } from './answers.ts';

const tags = [TAGS.operations];
const READ_ERRORS = errors(400, 404, ...SESSION_ERRORS);

/**
 * Reads around operations for the centre's operators (scoped roles: 403): the operation, its
 * record, fitting plans. An incident's field reports are its case's: a scoped user reads them
 * for its own cases (404 for others).
 */
export default async function operationRoutes(fastify: FastifyInstance, { c }: { c: Container }) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const user = requireUser();
  app.get(
    '/api/v1/operations/:id',
    {
      preHandler: user,
      schema: {
        tags,
        summary: 'One operation',
        params: IdParams,
        response: { 200: Operation, ...READ_ERRORS },
      },
    },
    async (req) => c.operations.get(req.params.id),
  );
  app.get(
    '/api/v1/operations/:id/after-action',
    {
      preHandler: user,
      schema: {
        tags,
        summary: 'The after-action record of a stood-down operation (JSON)',
        params: IdParams,
        response: { 200: AfterActionRecord, ...READ_ERRORS },
      },
    },
    async (req, reply) => {
      const record = await c.records.afterAction(req.params.id);
      reply.header('content-disposition', `inline; filename="after-action-${record.operationId}.json"`);
      return record;
    },
  );
  app.get(
    '/api/v1/operations/:id/after-action.html',
    {
      preHandler: user,
      schema: {
        tags,
        summary: 'The after-action record, printable',
        params: IdParams,
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
      const record = await c.records.afterAction(req.params.id);
      reply
        .type('text/html; charset=utf-8')
        // A record page runs no script at all, whatever text the reports hold.
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .header('content-disposition', `inline; filename="after-action-${record.operationId}.html"`);
      return renderAfterActionHtml(record);
    },
  );
  app.get(
    '/api/v1/incidents/:id/plans',
    {
      preHandler: user,
      schema: {
        tags,
        summary: 'Every plan ranked for an incident: fitting ones first, best first',
        params: IdParams,
        response: { 200: z.array(RankedPlan), ...READ_ERRORS },
      },
    },
    async (req) => c.operations.plansFor(req.params.id),
  );
  app.get(
    '/api/v1/incidents/:id/reports',
    {
      preHandler: requireAnyUser(),
      schema: {
        tags,
        summary: "An incident's field reports",
        params: IdParams,
        response: { 200: z.array(FieldReport), ...READ_ERRORS },
      },
    },
    // Redis for a case it holds, the database (field_reports) for one archived out of it.
    async (req) => {
      const u = userOf(req);
      if (isScoped(u.role)) {
        const inc = await c.records.incident(req.params.id);
        if (!inc || !canSee(u, inc)) throw notFound(`incident ${req.params.id}`);
      }
      return c.records.reports(req.params.id);
    },
  );
}
