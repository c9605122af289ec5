import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Camera } from '../../shared/camera.ts';
import { GridCollection } from '../../shared/grid.ts';
import { AppConfig, RecentEvents } from '../../shared/http.ts';
import { IncidentRecord } from '../../shared/incident.ts';
import { Plan } from '../../shared/plan.ts';
import { PROTOCOL_VERSION, Snapshot } from '../../shared/protocol.ts';
import type { Container } from '../container.ts';
import { scopeOf, canSee } from '../identity/scope.ts';
import { scopeRecentEvents, scopeSnapshot } from '../identity/scoped-reads.ts';
import { requireAnyUser, userOf } from '../plugins/auth.ts';
import { TAGS } from '../plugins/openapi.ts';
import { notFound } from '../services/errors.ts';
import { errors, IdParams, SESSION_ERRORS } from './answers.ts';

const RecentQuery = z.object({
  upTo: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const tags = [TAGS.state];

export default async function stateRoutes(fastify: FastifyInstance, { c }: { c: Container }) {
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
    async () => ({
      mapStyleUrl: c.config.mapStyleUrl,
      demo: c.config.demoPassword !== null,
      protocol: PROTOCOL_VERSION,
    }),
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
    async (req) => scopeSnapshot({ ...(await c.state.snapshot()), plans: c.plans }, scopeOf(userOf(req))),
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
      return c.grids;
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
        await c.store.readBackwards(
          req.query.upTo === undefined ? null : req.query.upTo + 1,
          req.query.limit,
        ),
        scopeOf(userOf(req)),
      ),
    }),
  );
  app.get(
    '/api/v1/cameras',
    {
      preHandler: user,
      schema: {
        tags,
        summary: 'The cameras',
        response: { 200: z.array(Camera), ...errors(...SESSION_ERRORS) },
      },
    },
    async () => c.cameras,
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
    async () => c.plans,
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
    async (req) => {
      // Every incident ever created (the working set in Redis, else the record in the database),
      // as an IncidentRecord: with its whole history and every merged report id.
      const inc = await c.records.incident(req.params.id);
      // Out of a scoped user's scope it does not exist for them: 404, as for an unknown id.
      if (!inc || !canSee(userOf(req), inc)) throw notFound(`incident ${req.params.id}`);
      return inc;
    },
  );
}
