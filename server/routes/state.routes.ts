import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Id } from '../../shared/common.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol.ts';
import type { Container } from '../container.ts';
import { requireUser } from '../plugins/auth.ts';
import { notFound } from '../services/errors.ts';

const IdParams = z.object({ id: Id });
const RecentQuery = z.object({
  upTo: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export default async function stateRoutes(app: FastifyInstance, { c }: { c: Container }) {
  const user = requireUser();
  app.get('/api/v1/config', { schema: {} }, async () => ({
    mapStyleUrl: c.config.mapStyleUrl,
    demo: c.config.demoPassword !== null,
    protocol: PROTOCOL_VERSION,
  }));
  app.get('/api/v1/snapshot', { preHandler: user, schema: {} }, async () => ({
    ...(await c.state.snapshot()),
    plans: c.plans,
  }));
  app.get('/api/v1/grids', { preHandler: user, schema: {} }, async (_req, reply) => {
    reply.header('cache-control', 'private, max-age=3600');
    return c.grids;
  });
  // What a console shows in its ticker right after loading the snapshot (events ≤ its seq).
  app.get<{ Querystring: z.infer<typeof RecentQuery> }>(
    '/api/v1/events/recent',
    { preHandler: user, schema: { querystring: RecentQuery } },
    async (req) => ({
      events: await c.store.readBackwards(
        req.query.upTo === undefined ? null : req.query.upTo + 1,
        req.query.limit,
      ),
    }),
  );
  app.get('/api/v1/cameras', { preHandler: user, schema: {} }, async () => c.cameras);
  app.get('/api/v1/plans', { preHandler: user, schema: {} }, async () => c.plans);
  app.get<{ Params: { id: string } }>(
    '/api/v1/incidents/:id',
    { preHandler: user, schema: { params: IdParams } },
    async (req) => {
      // Every incident ever created (the working set in Redis, else the record in the database),
      // as an IncidentRecord: with its whole history and every merged report id.
      const inc = await c.records.incident(req.params.id);
      if (!inc) throw notFound(`incident ${req.params.id}`);
      return inc;
    },
  );
}
