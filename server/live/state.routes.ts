import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { GridCollection } from '../../shared/grid.ts';
import { AppConfig, RecentEvents } from '../../shared/http.ts';
import { IncidentRecord } from '../../shared/incident.ts';
import { Plan } from '../../shared/plan.ts';
import { Snapshot } from '../../shared/protocol.ts';
import { scopeOf, canSee } from '../identity/scope.ts';
import { scopeRecentEvents, scopeSnapshot } from '../identity/scoped-reads.ts';
import { requireAnyUser, userOf } from '../identity/auth.plugin.ts';
import { notFound } from '../infra/domain-errors.ts';
import { TAGS } from '../infra/http/openapi.ts';
import { errors, IdParams, SESSION_ERRORS } from '../infra/http/answers.ts';
import type { SnapshotService } from './snapshot.service.ts';

const RecentQuery = z.object({
  upTo: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const tags = [TAGS.state];

export default async function stateRoutes(
  fastify: FastifyInstance,
  { snapshot }: { snapshot: SnapshotService },
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  // Every role: scoped ones read their own scope (scoped-reads.ts), the static data as it is.
  const user = requireAnyUser();
  app.get(
    '/api/v1/config',
    {
      schema: {
        tags,
        summary: 'What the console needs before logging in (the protocol version it must speak)',
        response: { 200: AppConfig },
      },
    },
    async () => snapshot.appConfig(),
  );
  app.get(
    '/api/v1/snapshot',
    {
      preHandler: user,
      schema: {
        tags,
        summary: 'The open working set exactly as of event `seq`',
        response: { 200: Snapshot, ...errors(...SESSION_ERRORS) },
      },
    },
    async (req) => scopeSnapshot(await snapshot.snapshot(), scopeOf(userOf(req))),
  );
  app.get(
    '/api/v1/grids',
    {
      preHandler: user,
      schema: {
        tags,
        summary: 'The three-level grid (district, streets, communities) as GeoJSON',
        response: { 200: GridCollection, ...errors(...SESSION_ERRORS) },
      },
    },
    async (_req, reply) => {
      reply.header('cache-control', 'private, max-age=3600');
      return snapshot.grids();
    },
  );
  // What a console shows in its ticker right after loading the snapshot (events ≤ its seq).
  app.get(
    '/api/v1/events/recent',
    {
      preHandler: user,
      schema: {
        tags,
        summary: 'The latest events up to `upTo`, newest first',
        querystring: RecentQuery,
        response: { 200: RecentEvents, ...errors(400, ...SESSION_ERRORS) },
      },
    },
    async (req) => ({
      events: scopeRecentEvents(
        await snapshot.recentEvents(req.query.upTo, req.query.limit),
        scopeOf(userOf(req)),
      ),
    }),
  );
  app.get(
    '/api/v1/plans',
    {
      preHandler: user,
      schema: {
        tags: [TAGS.operations],
        summary: 'The contingency plans',
        response: { 200: z.array(Plan), ...errors(...SESSION_ERRORS) },
      },
    },
    async () => snapshot.plans(),
  );
  app.get(
    '/api/v1/incidents/:id',
    {
      preHandler: user,
      schema: {
        tags,
        summary: 'One incident ever created, with its whole history and every merged report id',
        description: 'A merged report id answers with the incident it joined.',
        params: IdParams,
        response: { 200: IncidentRecord, ...errors(400, 404, ...SESSION_ERRORS) },
      },
    },
    // Every incident ever created, as an IncidentRecord: its whole history, every merged report id.
    async (req) => {
      const inc = await snapshot.incident(req.params.id);
      // Out of a scoped user's scope it does not exist for them: 404, as for an unknown id.
      if (!canSee(userOf(req), inc)) throw notFound(`incident ${req.params.id}`);
      return inc;
    },
  );
}
