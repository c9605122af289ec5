import type { FastifyInstance } from 'fastify';
import { AuditQuery } from '../../shared/audit.ts';
import type { Container } from '../container.ts';
import { requireUser } from '../plugins/auth.ts';

/** The audit trail is the event log itself, newest first, paged by seq. */
export default async function auditRoutes(app: FastifyInstance, { c }: { c: Container }) {
  app.get<{ Querystring: AuditQuery }>(
    '/api/v1/audit',
    { preValidation: requireUser('audit.read'), schema: { querystring: AuditQuery } },
    async (req) => c.records.audit(req.query),
  );
}
