import type { FastifyInstance } from 'fastify';
import { ReplayQuery } from '../../shared/replay.ts';
import type { Container } from '../container.ts';
import { ReplayRepository } from '../history/replay.repository.ts';
import { requireUser } from '../plugins/auth.ts';
import { ReplayService } from '../services/replay.service.ts';

/** `GET /api/v1/replay`: the state at `from` and the events up to `to`, from the history database. */
export default async function replayRoutes(app: FastifyInstance, { c }: { c: Container }) {
  const replay = new ReplayService(new ReplayRepository(c.history.db), c.state, c.plans);
  app.get<{ Querystring: ReplayQuery }>(
    '/api/v1/replay',
    // Logged in first (401 before 400), as every read of the record.
    { preValidation: requireUser(), schema: { querystring: ReplayQuery } },
    async (req) => replay.replay(req.query),
  );
}
