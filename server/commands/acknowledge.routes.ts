import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Incident } from '../../shared/incident.ts';
import type { AcknowledgeService } from './acknowledge.service.ts';
import { requireUser, userOf } from '../identity/auth.plugin.ts';
import { TAGS } from '../infra/http/openapi.ts';
import { errors, IdParams, SESSION_ERRORS } from '../infra/http/answers.ts';

// A body-less POST arrives as null (no content type) or undefined; an empty object is fine too.
const NoBody = z.strictObject({}).nullish();

/** `POST /api/v1/incidents/:id/acknowledge` [duty, commander]: one click, audited, idempotent. */
export default async function acknowledgeRoutes(
  fastify: FastifyInstance,
  { acknowledgements }: { acknowledgements: AcknowledgeService },
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/api/v1/incidents/:id/acknowledge',
    {
      preValidation: requireUser('incident.acknowledge'),
      schema: {
        tags: [TAGS.commands],
        summary: "Acknowledge an incident's alarm (every console stops ringing for it)",
        description:
          'Records `acknowledgedAt`/`acknowledgedBy` in one commit (`incident.updated`). ' +
          'Already acknowledged: `200` with the incident as it is, nothing written.',
        params: IdParams,
        body: NoBody,
        response: { 200: Incident, ...errors(400, 404, 409, 413, 415, ...SESSION_ERRORS) },
      },
    },
    async (req) => acknowledgements.acknowledge(req.params.id, userOf(req).username),
  );
}
