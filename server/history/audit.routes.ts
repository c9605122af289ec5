import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AuditPage, AuditQuery } from '../../shared/audit.ts';
import type { RecordService } from './record.service.ts';
import { requireUser } from '../identity/auth.plugin.ts';
import { TAGS } from '../infra/http/openapi.ts';
import { errors, SESSION_ERRORS } from '../infra/http/answers.ts';

/** The audit trail is the event log itself, newest first, paged by seq. */
export default async function auditRoutes(fastify: FastifyInstance, { records }: { records: RecordService }) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/v1/audit',
    {
      preValidation: requireUser('audit.read'),
      schema: {
        tags: [TAGS.record],
        summary: 'The log, newest first, back to seq 1: filtered by actor, type and time, paged by `before`',
        querystring: AuditQuery,
        response: { 200: AuditPage, ...errors(400, ...SESSION_ERRORS) },
      },
    },
    async (req) => records.audit(req.query),
  );
}
