import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Health, Unhealthy } from '../../../shared/http.ts';
import type { Container } from '../../container.ts';
import { REDIS_RETRY_AFTER_S } from '../redis-errors.ts';
import { TAGS } from './openapi.ts';
import { described } from './answers.ts';

export default async function healthRoutes(fastify: FastifyInstance, { c }: { c: Container }) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const history = async () => {
    if (!c.projector) return null;
    const st = await c.projector.status();
    return { healthy: st.healthy, lag: st.lag, projectedSeq: st.projectedSeq };
  };
  const schema = {
    tags: [TAGS.status],
    summary: 'Whether the server and its Redis answer',
    response: {
      200: Health,
      503: described(Unhealthy, 'Redis does not answer; retry after `Retry-After`'),
    },
  };
  app.get('/healthz', { schema }, async (_req, reply) => {
    // Not connected: no need to wait for a PING to fail. Connected: a frozen Redis must fail the
    // check within the same bound as any request (the connection's commandTimeout, and this race
    // in case a connection was built without one).
    if (c.redis.status === 'ready') {
      let timer: NodeJS.Timeout | undefined;
      try {
        const pong = await Promise.race([
          c.redis.ping(),
          new Promise<string>((_, reject) => {
            timer = setTimeout(() => reject(new Error('timeout')), c.config.redisTimeoutMs);
          }),
        ]);
        // Still 200 with the database down: intake and the feed go on (the stream keeps what
        // is not yet projected); the history part says how far behind the record is.
        if (pong === 'PONG') return { status: 'ok' as const, history: await history() };
      } catch {
        // fall through
      } finally {
        clearTimeout(timer);
      }
    }
    return reply
      .code(503)
      .header('retry-after', String(REDIS_RETRY_AFTER_S))
      .send({ status: 'unavailable', message: 'Redis does not answer' });
  });
}
