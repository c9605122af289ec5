import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Id } from '../../shared/common.ts';
import type { Container } from '../container.ts';
import { requireUser } from '../plugins/auth.ts';
import { renderAfterActionHtml } from '../services/after-action-html.ts';

const IdParams = z.object({ id: Id });

/** Reads around operations for any logged-in operator: the operation, its record, fitting plans. */
export default async function operationRoutes(app: FastifyInstance, { c }: { c: Container }) {
  const user = requireUser();
  app.get<{ Params: { id: string } }>(
    '/api/v1/operations/:id',
    { preHandler: user, schema: { params: IdParams } },
    async (req) => c.operations.get(req.params.id),
  );
  app.get<{ Params: { id: string } }>(
    '/api/v1/operations/:id/after-action',
    { preHandler: user, schema: { params: IdParams } },
    async (req, reply) => {
      const record = await c.records.afterAction(req.params.id);
      reply.header('content-disposition', `inline; filename="after-action-${record.operationId}.json"`);
      return record;
    },
  );
  app.get<{ Params: { id: string } }>(
    '/api/v1/operations/:id/after-action.html',
    { preHandler: user, schema: { params: IdParams } },
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
  app.get<{ Params: { id: string } }>(
    '/api/v1/incidents/:id/plans',
    { preHandler: user, schema: { params: IdParams } },
    async (req) => c.operations.plansFor(req.params.id),
  );
  app.get<{ Params: { id: string } }>(
    '/api/v1/incidents/:id/reports',
    { preHandler: user, schema: { params: IdParams } },
    // Redis for a case it holds, the database (field_reports) for one archived out of it.
    async (req) => c.records.reports(req.params.id),
  );
}
