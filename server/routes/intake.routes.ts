import type { FastifyInstance } from 'fastify';
import { IncidentIntake } from '../../shared/incident.ts';
import { VideoAlertIntake } from '../../shared/video-alert.ts';
import type { Container } from '../container.ts';
import { requireIntakeCaller } from '../plugins/auth.ts';
import { actorOf } from '../services/auth.service.ts';

/** Reports are small; anything bigger is a mistake or an attack. */
export const INTAKE_BODY_LIMIT = 64 * 1024;

export default async function intakeRoutes(app: FastifyInstance, { c }: { c: Container }) {
  app.post<{ Body: IncidentIntake }>(
    '/api/v1/incidents',
    { bodyLimit: INTAKE_BODY_LIMIT, preHandler: requireIntakeCaller, schema: { body: IncidentIntake } },
    async (req, reply) => reply.code(202).send(await c.intake.submitIncident(req.body, actorOf(req.caller!))),
  );
  app.post<{ Body: VideoAlertIntake }>(
    '/api/v1/video-alerts',
    { bodyLimit: INTAKE_BODY_LIMIT, preHandler: requireIntakeCaller, schema: { body: VideoAlertIntake } },
    async (req, reply) =>
      reply.code(202).send(await c.intake.submitVideoAlert(req.body, actorOf(req.caller!))),
  );
}
