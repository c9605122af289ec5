import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Queued } from '../../shared/http.ts';
import { IncidentIntake } from '../../shared/incident.ts';
import { VideoAlertIntake } from '../../shared/video-alert.ts';
import type { IntakeService } from './intake.service.ts';
import { requireIntakeCaller } from '../identity/auth.plugin.ts';
import { TAGS } from '../infra/http/openapi.ts';
import { senderOf } from '../identity/auth.service.ts';
import { described, errors } from '../infra/http/answers.ts';

/** Reports are small; anything bigger is a mistake or an attack. */
export const INTAKE_BODY_LIMIT = 64 * 1024;

const tags = [TAGS.intake];
const response = {
  202: described(Queued, 'durably queued: it survives a crash of any process from now on'),
  ...errors(400, 401, 413, 415, 429, 503),
};

export default async function intakeRoutes(fastify: FastifyInstance, { intake }: { intake: IntakeService }) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/api/v1/incidents',
    {
      bodyLimit: INTAKE_BODY_LIMIT,
      preHandler: requireIntakeCaller,
      schema: {
        tags,
        summary: 'Report an incident (the same source and externalId twice is one incident)',
        body: IncidentIntake,
        response,
      },
    },
    async (req, reply) => reply.code(202).send(await intake.submitIncident(req.body, senderOf(req.caller!))),
  );
  app.post(
    '/api/v1/video-alerts',
    {
      bodyLimit: INTAKE_BODY_LIMIT,
      preHandler: requireIntakeCaller,
      schema: {
        tags,
        summary: 'Report a camera alert (it takes its camera position)',
        body: VideoAlertIntake,
        response,
      },
    },
    async (req, reply) =>
      reply.code(202).send(await intake.submitVideoAlert(req.body, senderOf(req.caller!))),
  );
}
