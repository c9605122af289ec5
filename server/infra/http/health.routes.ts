import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Health, Unhealthy } from '../../../shared/http.ts';
import type { HealthService } from '../health.service.ts';
import { TAGS } from './openapi.ts';
import { described } from './answers.ts';

export default async function healthRoutes(fastify: FastifyInstance, { health }: { health: HealthService }) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const schema = {
    tags: [TAGS.status],
    summary: 'Whether the server and its Redis answer',
    response: {
      200: Health,
      503: described(Unhealthy, 'Redis does not answer; retry after `Retry-After`'),
    },
  };
  app.get('/healthz', { schema }, async (_req, reply) => {
    const answer = await health.check();
    if (answer.ok) return answer.health;
    return reply
      .code(503)
      .header('retry-after', String(answer.retryAfterS))
      .send({ status: 'unavailable', message: 'Redis does not answer' });
  });
}
