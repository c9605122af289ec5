import type { FastifyInstance } from 'fastify';
import type { Container } from '../container.ts';

export default async function healthRoutes(app: FastifyInstance, { c }: { c: Container }) {
  app.get('/healthz', { schema: {} }, async (_req, reply) => {
    try {
      const pong = await Promise.race([
        c.redis.ping(),
        new Promise<string>((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000)),
      ]);
      if (pong === 'PONG') return { status: 'ok' };
    } catch {
      // fall through
    }
    return reply.code(503).send({ status: 'unavailable', message: 'Redis does not answer' });
  });
}
